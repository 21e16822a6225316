-- Restores one row per interval (meter_intervals, generation) from
-- energy_days, and the views' previous definitions over them. Data that the
-- old tables cannot hold (one channel in both directions, two generation
-- channels) makes this fail rather than be dropped.

CREATE TABLE generation (
  site_id bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  "timestamp" timestamptz NOT NULL,
  energy double precision NOT NULL,
  PRIMARY KEY (site_id, "timestamp")
);

CREATE TABLE meter_intervals (
  site_id bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (btrim(channel) <> ''),
  direction text NOT NULL CHECK (direction IN ('import', 'export')),
  "timestamp" timestamptz NOT NULL,
  duration interval NOT NULL CHECK (duration > interval '0'),
  energy double precision NOT NULL,
  quality text NOT NULL DEFAULT 'A' CHECK (quality IN ('A', 'S', 'F', 'E', 'N', 'V')),
  PRIMARY KEY (site_id, channel, "timestamp")
);
CREATE INDEX meter_intervals_site_direction_ts_idx
  ON meter_intervals (site_id, direction, "timestamp");

INSERT INTO meter_intervals (site_id, channel, direction, "timestamp", duration, energy, quality)
SELECT r.site_id, r.channel, r.kind, r.start + (u.n - 1) * r.step, r.step, u.v,
  coalesce(substr(r.quality, u.n::int, 1), 'A')
FROM energy_days r CROSS JOIN LATERAL unnest(r.energy) WITH ORDINALITY AS u(v, n)
WHERE r.kind <> 'generation' AND u.v IS NOT NULL;

INSERT INTO generation (site_id, "timestamp", energy)
SELECT r.site_id, r.start + (u.n - 1) * r.step, u.v
FROM energy_days r CROSS JOIN LATERAL unnest(r.energy) WITH ORDINALITY AS u(v, n)
WHERE r.kind = 'generation' AND u.v IS NOT NULL;

CREATE OR REPLACE VIEW import AS
    WITH intervals AS (
        SELECT
            m.site_id,
            m."timestamp",
            sum(m.energy) AS energy
        FROM meter_intervals m
        WHERE m.direction = 'import'
        GROUP BY
            m.site_id,
            m."timestamp"
    ), longest AS (
        SELECT
            m.site_id,
            max(m.duration) AS duration
        FROM meter_intervals m
        WHERE m.direction = 'import'
        GROUP BY m.site_id
    ), readings AS (
        SELECT
            r.site_id,
            lag(r."timestamp") OVER (
                PARTITION BY r.site_id
                ORDER BY r."timestamp"
            ) AS start,
            r."timestamp" AS finish,
            lag(r.energy) OVER (
                PARTITION BY r.site_id
                ORDER BY r."timestamp"
            ) AS previous,
            r.energy AS current
        FROM import_cumulative r
    )
    SELECT
        u.site_id,
        u."timestamp",
        u.energy
    FROM
        (
            SELECT
                i.site_id,
                i."timestamp",
                i.energy
            FROM intervals i
            UNION ALL
            SELECT
                d.site_id,
                d.start AS "timestamp",
                CASE
                    WHEN d.current >= d.previous THEN d.current - d.previous
                END AS energy
            FROM
                readings d
                LEFT JOIN longest l ON l.site_id = d.site_id
            WHERE
                d.previous IS NOT NULL
                AND NOT EXISTS (
                    SELECT 1
                    FROM meter_intervals m
                    WHERE
                        m.site_id = d.site_id
                        AND m.direction = 'import'
                        AND m."timestamp" < d.finish
                        AND m."timestamp" > (d.start - l.duration)
                        AND (m."timestamp" + m.duration) > d.start
                )
        ) u;

CREATE OR REPLACE VIEW export AS
    WITH intervals AS (
        SELECT
            m.site_id,
            m."timestamp",
            sum(m.energy) AS energy
        FROM meter_intervals m
        WHERE m.direction = 'export'
        GROUP BY
            m.site_id,
            m."timestamp"
    ), longest AS (
        SELECT
            m.site_id,
            max(m.duration) AS duration
        FROM meter_intervals m
        WHERE m.direction = 'export'
        GROUP BY m.site_id
    ), readings AS (
        SELECT
            r.site_id,
            lag(r."timestamp") OVER (
                PARTITION BY r.site_id
                ORDER BY r."timestamp"
            ) AS start,
            r."timestamp" AS finish,
            lag(r.energy) OVER (
                PARTITION BY r.site_id
                ORDER BY r."timestamp"
            ) AS previous,
            r.energy AS current
        FROM export_cumulative r
    )
    SELECT
        u.site_id,
        u."timestamp",
        u.energy
    FROM
        (
            SELECT
                i.site_id,
                i."timestamp",
                i.energy
            FROM intervals i
            UNION ALL
            SELECT
                d.site_id,
                d.start AS "timestamp",
                CASE
                    WHEN d.current >= d.previous THEN d.current - d.previous
                END AS energy
            FROM
                readings d
                LEFT JOIN longest l ON l.site_id = d.site_id
            WHERE
                d.previous IS NOT NULL
                AND NOT EXISTS (
                    SELECT 1
                    FROM meter_intervals m
                    WHERE
                        m.site_id = d.site_id
                        AND m.direction = 'export'
                        AND m."timestamp" < d.finish
                        AND m."timestamp" > (d.start - l.duration)
                        AND (m."timestamp" + m.duration) > d.start
                )
        ) u;

CREATE OR REPLACE VIEW summary AS
    WITH energy AS (
        SELECT
            site_id,
            "timestamp",
            g.energy AS generation,
            g.site_id IS NOT NULL AS has_generation,
            i.energy AS import,
            i.site_id IS NOT NULL AS has_import,
            e.energy AS export,
            e.site_id IS NOT NULL AS has_export
        FROM
            generation g
            FULL JOIN import i USING (site_id, "timestamp")
            FULL JOIN export e USING (site_id, "timestamp")
    ), filled AS (
        SELECT
            e.site_id,
            e."timestamp",
            CASE
                WHEN e.has_generation THEN e.generation
                WHEN
                    bool_or(e.has_generation) OVER (
                        PARTITION BY e.site_id
                    ) THEN 0
            END AS generation,
            CASE
                WHEN e.has_import THEN e.import
                WHEN
                    bool_or(e.has_import) OVER (
                        PARTITION BY e.site_id
                    ) THEN 0
            END AS import,
            CASE
                WHEN e.has_export THEN e.export
                WHEN
                    bool_or(e.has_export) OVER (
                        PARTITION BY e.site_id
                    ) THEN 0
            END AS export
        FROM energy e
    )
    SELECT
        f.site_id,
        f."timestamp",
        f.generation,
        f.import,
        f.export,
        (f.import + f.generation) - f.export AS consumption
    FROM filled f;

CREATE OR REPLACE VIEW site_overview AS
    SELECT
        site.id AS site_id,
        ARRAY(
            SELECT sensor.code
            FROM sensors sensor
            WHERE sensor.site_id = site.id
            ORDER BY sensor.code ASC
        ) AS sensor_codes,
        LEAST((
            SELECT min(sub.value)
            FROM
                (
                    SELECT generation."timestamp"
                    FROM generation
                    WHERE generation.site_id = site.id
                ) sub(value)
        ), (
            SELECT min(sub.value)
            FROM
                (
                    SELECT import_cumulative."timestamp"
                    FROM import_cumulative
                    WHERE import_cumulative.site_id = site.id
                ) sub(value)
        ), (
            SELECT min(sub.value)
            FROM
                (
                    SELECT export_cumulative."timestamp"
                    FROM export_cumulative
                    WHERE export_cumulative.site_id = site.id
                ) sub(value)
        ), (
            SELECT min(sub.value)
            FROM
                (
                    SELECT meter_interval."timestamp"
                    FROM meter_intervals meter_interval
                    WHERE
                        meter_interval.site_id = site.id
                        AND meter_interval.direction = 'import'
                ) sub(value)
        ), (
            SELECT min(sub.value)
            FROM
                (
                    SELECT meter_interval."timestamp"
                    FROM meter_intervals meter_interval
                    WHERE
                        meter_interval.site_id = site.id
                        AND meter_interval.direction = 'export'
                ) sub(value)
        )) AS first_data_at,
        GREATEST((
            SELECT max(sub.value)
            FROM
                (
                    SELECT generation."timestamp"
                    FROM generation
                    WHERE generation.site_id = site.id
                ) sub(value)
        ), (
            SELECT max(sub.value)
            FROM
                (
                    SELECT import_cumulative."timestamp"
                    FROM import_cumulative
                    WHERE import_cumulative.site_id = site.id
                ) sub(value)
        ), (
            SELECT max(sub.value)
            FROM
                (
                    SELECT export_cumulative."timestamp"
                    FROM export_cumulative
                    WHERE export_cumulative.site_id = site.id
                ) sub(value)
        ), (
            SELECT max(sub.value)
            FROM
                (
                    SELECT meter_interval."timestamp"
                    FROM meter_intervals meter_interval
                    WHERE
                        meter_interval.site_id = site.id
                        AND meter_interval.direction = 'import'
                ) sub(value)
        ), (
            SELECT max(sub.value)
            FROM
                (
                    SELECT meter_interval."timestamp"
                    FROM meter_intervals meter_interval
                    WHERE
                        meter_interval.site_id = site.id
                        AND meter_interval.direction = 'export'
                ) sub(value)
        )) AS last_data_at
    FROM sites site;

DROP TABLE energy_days;
