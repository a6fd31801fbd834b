-- DropIndex
DROP INDEX "Message_status_nextAttemptAt_idx";

-- CreateIndex
CREATE INDEX "Message_outbox_due_idx" ON "Message"("nextAttemptAt", "seq") WHERE (status = 'pending' AND direction = 'outbound');

-- CreateIndex
CREATE INDEX "Message_outbox_head_idx" ON "Message"("conversationId", "seq") WHERE (status = 'pending' AND direction = 'outbound');
