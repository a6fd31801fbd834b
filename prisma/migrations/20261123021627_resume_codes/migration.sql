-- CreateTable
CREATE TABLE "ResumeCode" (
    "id" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ResumeCode_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ResumeCode_expiresAt_idx" ON "ResumeCode"("expiresAt");
