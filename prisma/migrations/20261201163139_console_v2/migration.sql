-- CreateEnum
CREATE TYPE "StaffAvailability" AS ENUM ('available', 'away');

-- AlterTable
ALTER TABLE "Handoff" ADD COLUMN     "contactType" TEXT,
ADD COLUMN     "followUpNeeded" BOOLEAN,
ADD COLUMN     "offerExpiresAt" TIMESTAMP(3),
ADD COLUMN     "offeredAt" TIMESTAMP(3),
ADD COLUMN     "offeredToId" UUID,
ADD COLUMN     "passedOver" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "referrals" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "surveyAnswer" TEXT,
ADD COLUMN     "surveyAnsweredAt" TIMESTAMP(3),
ADD COLUMN     "surveyAskedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "StaffUser" ADD COLUMN     "alias" TEXT,
ADD COLUMN     "availability" "StaffAvailability" NOT NULL DEFAULT 'away',
ADD COLUMN     "availabilityAt" TIMESTAMP(3),
ADD COLUMN     "capacity" INTEGER NOT NULL DEFAULT 2,
ADD COLUMN     "lastOfferedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ReportMessage" (
    "id" UUID NOT NULL,
    "reportId" UUID NOT NULL,
    "author" TEXT NOT NULL,
    "staffId" UUID,
    "text" TEXT NOT NULL,
    "channel" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" TIMESTAMP(3),

    CONSTRAINT "ReportMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReportMessage_reportId_createdAt_idx" ON "ReportMessage"("reportId", "createdAt");

-- CreateIndex
CREATE INDEX "Handoff_state_offerExpiresAt_idx" ON "Handoff"("state", "offerExpiresAt");

-- AddForeignKey
ALTER TABLE "ReportMessage" ADD CONSTRAINT "ReportMessage_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "Report"("id") ON DELETE CASCADE ON UPDATE CASCADE;
