-- CreateTable
CREATE TABLE "CaseNote" (
    "id" UUID NOT NULL,
    "handoffId" UUID NOT NULL,
    "authorId" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaseNote_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CaseNote_handoffId_idx" ON "CaseNote"("handoffId");
