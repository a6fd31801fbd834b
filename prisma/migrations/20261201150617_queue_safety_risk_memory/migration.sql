-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "riskAt" TIMESTAMP(3),
ADD COLUMN     "riskLevel" "RiskLevel" NOT NULL DEFAULT 'none',
ADD COLUMN     "waitSnapshot" JSONB,
ADD COLUMN     "whereabouts" TEXT;

-- AlterTable
ALTER TABLE "Handoff" ADD COLUMN     "details" JSONB,
ADD COLUMN     "notifiedPosition" INTEGER,
ADD COLUMN     "positionNotifiedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "RiskEvent" ADD COLUMN     "modelScores" JSONB;

-- CreateTable
CREATE TABLE "RiskLabel" (
    "id" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "handoffId" UUID,
    "messageId" UUID NOT NULL,
    "verdict" TEXT NOT NULL,
    "level" "RiskLevel" NOT NULL,
    "detectedLevel" "RiskLevel" NOT NULL,
    "text" TEXT NOT NULL,
    "authorId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RiskLabel_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RiskLabel_createdAt_idx" ON "RiskLabel"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "RiskLabel_messageId_authorId_key" ON "RiskLabel"("messageId", "authorId");

-- CreateIndex
CREATE INDEX "RiskEvent_conversationId_createdAt_idx" ON "RiskEvent"("conversationId", "createdAt");

-- AddForeignKey
ALTER TABLE "RiskLabel" ADD CONSTRAINT "RiskLabel_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
