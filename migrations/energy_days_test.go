package migrations_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/migrator"
	"github.com/solarview/solarview/migrations"
)

// before returns the project's migrations older than prefix: the schema as
// an earlier release left it.
func before(t *testing.T, prefix string) migrator.Source {
	t.Helper()
	sub := fstest.MapFS{}
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path >= prefix {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		sub[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return migrator.Source{FS: sub, Dir: "migrations before " + prefix, Origin: migrator.Flag}
}

// oldLayoutData fills the per-interval tables of the previous release: a
// site on registers with generation and a register reset; a site with two
// import channels, 15- and 30-minute data, quality flags, and registers
// that meter data partly overlaps; a site with aligned 5-minute data whose
// generation has gaps at night; a site with whole days of import and
// export but generation on one of them only; a site with import alone.
const oldLayoutData = `
INSERT INTO sites (id, name, timezone) VALUES (1, 'regs', 'Australia/Sydney'), (2, 'meter', 'UTC'),
  (3, 'solar', 'Australia/Brisbane');
INSERT INTO import_cumulative VALUES
  (1, '2026-01-01 00:00+11', 100), (1, '2026-01-01 00:30+11', 150),
  (1, '2026-01-01 01:00+11', 20),  (1, '2026-01-01 01:30+11', 50),
  (2, '2026-01-01 00:00Z', 0), (2, '2026-01-01 00:30Z', 99),
  (2, '2026-01-01 01:00Z', 199), (2, '2026-01-01 01:30Z', 299);
INSERT INTO export_cumulative VALUES
  (1, '2026-01-01 00:00+11', 10), (1, '2026-01-01 00:30+11', 10),
  (1, '2026-01-01 01:00+11', 30), (1, '2026-01-01 01:30+11', 30);
INSERT INTO generation VALUES (1, '2026-01-01 00:00+11', 5), (1, '2026-01-01 01:00+11', 25);
INSERT INTO meter_intervals VALUES
  (2, 'E1', 'import', '2026-01-01 00:00Z', '30 min', 10, 'A'),
  (2, 'E2', 'import', '2026-01-01 00:00Z', '30 min', 3, 'S'),
  (2, 'E1', 'import', '2026-01-01 00:30Z', '30 min', 7, 'E'),
  (2, 'B1', 'export', '2026-01-01 00:30Z', '30 min', 2, 'A'),
  (2, 'E1', 'import', '2026-01-02 13:45Z', '15 min', 1.5, 'A'),
  (2, 'E1', 'import', '2026-01-02 14:00Z', '15 min', 2.5, 'A');
INSERT INTO meter_intervals
SELECT 3, c.channel, c.direction, t, '5 min', c.scale * extract(minute FROM t) / 7.0, 'A'
FROM generate_series('2026-03-01 00:00+10'::timestamptz, '2026-03-03 23:55+10', '5 min') t,
  (VALUES ('E1', 'import', 1), ('B1', 'export', 2)) c(channel, direction, scale);
INSERT INTO generation
SELECT 3, t, extract(hour FROM t AT TIME ZONE 'Australia/Brisbane') * 1.25
FROM generate_series('2026-03-01 00:00+10'::timestamptz, '2026-03-03 23:55+10', '5 min') t
WHERE extract(hour FROM t AT TIME ZONE 'Australia/Brisbane') BETWEEN 6 AND 18;
INSERT INTO sites (id, name, timezone) VALUES (4, 'whole days', 'Australia/Adelaide'), (5, 'import only', 'UTC');
INSERT INTO meter_intervals
SELECT 4, c.channel, c.direction, t, interval '5 min', c.scale + extract(minute FROM t), 'A'
FROM generate_series('2026-04-01 00:00+10'::timestamptz, '2026-04-02 23:55+10', '5 min') t,
  (VALUES ('E1', 'import', 1), ('B1', 'export', 2)) c(channel, direction, scale)
UNION ALL
SELECT 5, 'E1', 'import', t, '30 min', 2.5, 'A'
FROM generate_series('2026-04-01 00:00+10'::timestamptz, '2026-04-01 23:30+10', '30 min') t;
INSERT INTO generation
SELECT 4, t, extract(hour FROM t) FROM generate_series('2026-04-01 00:00+10'::timestamptz, '2026-04-01 23:55+10', '5 min') t;
`

// fingerprint sums summary and daily_summary and hashes their rows (values
// rounded to a micro-watt-hour: channels may be added in another order).
func fingerprint(t *testing.T, db *bun.DB) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT count(*) || ' ' || round(sum(generation)::numeric, 6) || ' ' || round(sum(import)::numeric, 6) || ' ' ||
			round(sum(export)::numeric, 6) || ' ' || round(sum(consumption)::numeric, 6) FROM summary`,
		`SELECT md5(string_agg(concat_ws('|', site_id, "timestamp", round(generation::numeric, 6), round(import::numeric, 6),
			round(export::numeric, 6), round(consumption::numeric, 6)), ',' ORDER BY site_id, "timestamp")) FROM summary`,
		`SELECT md5(string_agg(concat_ws('|', site_id, date, round(generation::numeric, 6), round(import::numeric, 6),
			round(export::numeric, 6), round(consumption::numeric, 6)), ',' ORDER BY site_id, date)) FROM daily_summary`,
		`SELECT md5(string_agg(concat_ws('|', site_id, channel, direction, "timestamp", duration, energy, quality), ','
			ORDER BY site_id, channel, "timestamp")) FROM meter_intervals`,
		`SELECT md5(string_agg(concat_ws('|', site_id, "timestamp", energy), ',' ORDER BY site_id, "timestamp")) FROM generation`,
		`SELECT md5(string_agg(concat_ws('|', site_id, first_data_at, last_data_at), ',' ORDER BY site_id)) FROM site_overview`,
	} {
		var s string
		if err := db.QueryRowContext(context.Background(), q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

// TestEnergyDaysMigratesData: a database of the previous release holding
// data migrates to energy_days with the same summary, daily_summary,
// interval rows and site overview, and rolling the migration back
// restores the old tables with the same data.
func TestEnergyDaysMigratesData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	if _, err := migrator.Migrate(ctx, db, before(t, "20261127120000"), io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, oldLayoutData); err != nil {
		t.Fatal(err)
	}
	old := fingerprint(t, db)

	all := migrator.EmbeddedSource()
	applied, err := migrator.Migrate(ctx, db, all, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 {
		t.Fatal("nothing to migrate")
	}
	var days, tables int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM energy_days),
		(SELECT count(*) FROM pg_tables WHERE tablename IN ('meter_intervals', 'generation'))`).Scan(&days, &tables); err != nil {
		t.Fatal(err)
	}
	if days == 0 || tables != 0 {
		t.Fatalf("after up: %d energy_days rows, %d old tables", days, tables)
	}
	if got := fingerprint(t, db); got != old {
		t.Errorf("after up:\n%s\nwant\n%s", got, old)
	}

	// Rolling back drops energy_days, which holds rows: only --force does.
	var refused *migrator.DataLossError
	if _, err := migrator.Rollback(ctx, db, all, migrator.RollbackOptions{}, io.Discard); !errors.As(err, &refused) {
		t.Fatalf("a rollback dropping energy_days with its rows, without --force: %v", err)
	}
	if _, err := migrator.Rollback(ctx, db, all, migrator.RollbackOptions{Force: true}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE tablename IN ('meter_intervals', 'generation', 'energy_days')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 2 {
		t.Errorf("after down: %d of the tables meter_intervals, generation, energy_days", tables)
	}
	if got := fingerprint(t, db); got != old {
		t.Errorf("after down:\n%s\nwant\n%s", got, old)
	}
}
