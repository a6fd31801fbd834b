-- DropIndex
DROP INDEX "ServiceEntry_active_idx";

-- AlterTable
ALTER TABLE "ServiceEntry" ADD COLUMN     "address" TEXT,
ADD COLUMN     "contactSource" TEXT,
ADD COLUMN     "contactVerifiedAt" TIMESTAMP(3),
ADD COLUMN     "hours" TEXT,
ADD COLUMN     "referral" BOOLEAN NOT NULL DEFAULT true;

-- CreateIndex
CREATE INDEX "ServiceEntry_active_referral_idx" ON "ServiceEntry"("active", "referral");

-- Data: directories seeded before this migration get the same tags and checked contacts as
-- prisma/seed/directory.json (seed slugs only, entries staff created are untouched).
-- Bodies that give no direct service are kept for staff but left out of the results users see.
UPDATE "ServiceEntry" SET "referral" = false WHERE "slug" IN (
  'actionaid-vietnam', 'aba-roli', 'british-embassy', 'care-vietnam', 'unicef-child-protection', 'enhance-ilo',
  'youth-union', 'hope-unending', 'isee', 'ministry-education', 'press-authority', 'ministry-justice',
  'ministry-health-social', 'ministry-public-security', 'steering-committee-138', 'oxfam-vietnam',
  'supreme-peoples-court', 'supreme-peoples-procuracy', 'plan-international', 'jica-hotline-project',
  'samaritans-purse-safe', 'tmsv', 'vgcl', 'vinacapital-foundation', 'world-vision-vietnam'
);
-- 111 is the one seeded number ../shared/vn-facts.md marks verified (Decree 162/2025/NĐ-CP).
UPDATE "ServiceEntry" SET "hours" = '24/7',
  "contactSource" = 'Decree 162/2025/NĐ-CP (tienphong.vn, giadinh.suckhoedoisong.vn, plo.vn), seed 000',
  "contactVerifiedAt" = '2026-12-01T00:00:00Z'
WHERE "slug" = 'hotline-111' AND "phone" = '111';
