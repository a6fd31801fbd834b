-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "channelRef" TEXT;

-- AlterTable
ALTER TABLE "StaffSession" ADD COLUMN     "enrolOnly" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "StaffUser" ADD COLUMN     "recoveryCodeHashes" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "totpEnabledAt" TIMESTAMP(3),
ADD COLUMN     "totpLastStep" INTEGER,
ADD COLUMN     "totpSecret" TEXT;

-- CreateTable
CREATE TABLE "RolePolicy" (
    "role" "StaffRole" NOT NULL,
    "totpRequired" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RolePolicy_pkey" PRIMARY KEY ("role")
);
