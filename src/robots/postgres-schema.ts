/**
 * The PostgreSQL schema of the shared robot registry, as numbered migrations applied at start
 * (postgres-store.ts) under an advisory lock, so that replicas starting together migrate once.
 *
 * Every change to `kinematics_robots` is announced on the channel `kinematics_robots` by a trigger,
 * inside the changing transaction: PostgreSQL delivers a notification only when (and if) that
 * transaction commits, in commit order, so a replica never hears of a change that is not durable.
 * The payload names the robot and its SHA-256 now (null once deleted); the URDF itself is read
 * from the table (a payload is limited to 8000 bytes).
 */

/** The LISTEN/NOTIFY channel of robot changes. */
export const CHANGE_CHANNEL = 'kinematics_robots';

/** The advisory lock key under which migrations run (any fixed 64-bit number; "kinemat" in ASCII). */
export const MIGRATION_LOCK_KEY = '30227925672617844';

export const MIGRATIONS_TABLE = 'kinematics_schema_migrations';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'uploaded robots, with a change notification per row',
    sql: `
      CREATE TABLE kinematics_robots (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
        urdf text NOT NULL,
        sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        uploaded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE FUNCTION kinematics_robots_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('id', OLD.id, 'sha256', NULL)::text);
          RETURN OLD;
        END IF;
        PERFORM pg_notify('${CHANGE_CHANNEL}', json_build_object('id', NEW.id, 'sha256', NEW.sha256)::text);
        RETURN NEW;
      END $$;
      CREATE TRIGGER kinematics_robots_changed AFTER INSERT OR UPDATE OR DELETE ON kinematics_robots
        FOR EACH ROW EXECUTE FUNCTION kinematics_robots_notify();
    `,
  },
];
