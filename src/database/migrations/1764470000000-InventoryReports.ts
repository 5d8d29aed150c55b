import { MigrationInterface, QueryRunner } from 'typeorm';

export class InventoryReports1764470000000 implements MigrationInterface {
  name = 'InventoryReports1764470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "report_runs" (
        "run_id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "report" varchar(50) NOT NULL,
        "fencing_token" bigint NOT NULL,
        "status" varchar(16) NOT NULL,
        "started_at" timestamptz NOT NULL,
        "finished_at" timestamptz,
        CONSTRAINT "PK_report_runs" PRIMARY KEY ("run_id"),
        CONSTRAINT "CHK_report_runs_status"
          CHECK ("status" IN ('running', 'completed', 'failed', 'fenced'))
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_report_runs_started_at" ON "report_runs" ("report", "started_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_report_runs_running" ON "report_runs" ("report") WHERE "status" = 'running'`,
    );
    await queryRunner.query(`
      CREATE TABLE "report_fences" (
        "report" varchar(50) NOT NULL,
        "token" bigint NOT NULL,
        CONSTRAINT "PK_report_fences" PRIMARY KEY ("report")
      )`);
    await queryRunner.query(
      `INSERT INTO "report_fences" ("report", "token") VALUES ('inventory', 0)`,
    );
    await queryRunner.query(`
      CREATE TABLE "inventory_report_totals" (
        "run_id" uuid NOT NULL,
        "category" varchar(50) NOT NULL,
        "products" integer NOT NULL,
        "stock" bigint NOT NULL,
        "value" numeric(24,2) NOT NULL,
        CONSTRAINT "PK_inventory_report_totals" PRIMARY KEY ("run_id", "category"),
        CONSTRAINT "FK_inventory_report_totals_run" FOREIGN KEY ("run_id")
          REFERENCES "report_runs" ("run_id") ON DELETE CASCADE
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "inventory_report_totals"`);
    await queryRunner.query(`DROP TABLE "report_fences"`);
    await queryRunner.query(`DROP TABLE "report_runs"`);
  }
}
