package viewmig

import (
	"strings"
)

// A drop-and-recreate loses what PostgreSQL keeps on the view itself: its
// privileges, comment and owner. Hand grants are only known when the
// migration runs, so generated migrations carry two DO blocks around their
// DROP and CREATE statements, in the same transaction:
//
//   - "keep save" copies relacl, obj_description and the owner of the views
//     about to be dropped into a temporary table (ON COMMIT DROP);
//   - "keep restore", after the views are created again, gives each one
//     its owner back (ALTER … OWNER TO), rebuilds its ACL entry by entry
//     from aclexplode (GRANT … [WITH GRANT OPTION], then REVOKE of what the
//     owner had given up; a grant made by another role holding the
//     privilege WITH GRANT OPTION is made again as that role), puts the comment back (COMMENT ON … IS %L) and
//     drops the temporary table.
//
// Every name reaches the dynamic SQL through format's %I and %L. The blocks
// start with a "-- solarview:keep" line that the history replay reads, so a
// comment or grant a migration made survives the recreate in the replay too.
// A comment declared in code is set after the restore, so code wins.

// keepSaveSQL is the block remembering names' privileges, comment and owner.
func keepSaveSQL(names []string) string {
	lits := make([]string, len(names))
	for i, n := range names {
		lits[i] = quoteLiteral(n)
	}
	return `DO $solarview$
` + keepMarker + `save ` + strings.Join(names, ", ") + `
-- Remembers privileges, comment and owner of the views dropped below.
BEGIN
    CREATE TEMPORARY TABLE IF NOT EXISTS solarview_kept (
        relname text PRIMARY KEY,
        relkind "char" NOT NULL,
        owner name NOT NULL,
        acl aclitem[],
        description text
    ) ON COMMIT DROP;
    INSERT INTO solarview_kept
    SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner), c.relacl, obj_description(c.oid, 'pg_class')
      FROM pg_class c
     WHERE c.relnamespace = ` + quoteLiteral(managedSchema) + `::regnamespace
       AND c.relkind IN ('v', 'm')
       AND c.relname = ANY (ARRAY[` + strings.Join(lits, ", ") + `]::text[])
    ON CONFLICT (relname) DO NOTHING;
END
$solarview$;
`
}

// keepRestoreSQL is the block putting back what keepSaveSQL remembered.
func keepRestoreSQL() string {
	return `DO $solarview$
` + keepMarker + `restore
-- Puts back privileges, comment and owner of the views created again above.
DECLARE
    k record;
    e record;
    missing text;
BEGIN
    FOR k IN
        SELECT s.*, c.oid AS reloid, pg_get_userbyid(c.relowner) AS current_owner,
               CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END AS kind
          FROM solarview_kept s
          JOIN pg_class c ON c.relname = s.relname AND c.relkind IN ('v', 'm')
           AND c.relnamespace = ` + quoteLiteral(managedSchema) + `::regnamespace
         ORDER BY s.relname
    LOOP
        IF k.owner <> k.current_owner THEN
            EXECUTE format('ALTER %s %I.%I OWNER TO %I', k.kind, ` + quoteLiteral(managedSchema) + `, k.relname, k.owner);
        END IF;
        IF k.acl IS NOT NULL THEN
            -- From the owner-only default ACL, grant each entry in order.
            EXECUTE format('REVOKE ALL ON %I.%I FROM PUBLIC', ` + quoteLiteral(managedSchema) + `, k.relname);
            FOR e IN
                SELECT a.grantor, a.grantee, a.is_grantable, string_agg(a.privilege_type, ', ' ORDER BY a.n) AS privileges
                  FROM aclexplode(k.acl) WITH ORDINALITY AS a(grantor, grantee, privilege_type, is_grantable, n)
                 GROUP BY a.grantor, a.grantee, a.is_grantable
                 ORDER BY min(a.n)
            LOOP
                -- A privilege someone else granted (holding it WITH GRANT
                -- OPTION) is granted again as that role.
                IF pg_get_userbyid(e.grantor) <> k.owner THEN
                    EXECUTE format('SET LOCAL ROLE %I', pg_get_userbyid(e.grantor));
                END IF;
                EXECUTE format('GRANT %s ON %I.%I TO %s%s', e.privileges, ` + quoteLiteral(managedSchema) + `, k.relname,
                    CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(e.grantee)) END,
                    CASE WHEN e.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
                IF pg_get_userbyid(e.grantor) <> k.owner THEN
                    RESET ROLE;
                END IF;
            END LOOP;
            SELECT string_agg(d.privilege_type, ', ') INTO missing
              FROM aclexplode(acldefault('r', (SELECT oid FROM pg_roles WHERE rolname = k.owner))) AS d
             WHERE NOT EXISTS (SELECT FROM aclexplode(k.acl) AS a
                                WHERE a.grantee = d.grantee AND a.privilege_type = d.privilege_type);
            IF missing IS NOT NULL THEN
                EXECUTE format('REVOKE %s ON %I.%I FROM %I', missing, ` + quoteLiteral(managedSchema) + `, k.relname, k.owner);
            END IF;
        END IF;
        IF k.description IS NOT NULL THEN
            EXECUTE format('COMMENT ON %s %I.%I IS %L', k.kind, ` + quoteLiteral(managedSchema) + `, k.relname, k.description);
        END IF;
    END LOOP;
    DROP TABLE solarview_kept;
END
$solarview$;
`
}

// quoteLiteral quotes a string constant (standard_conforming_strings).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// commentSQL sets (or, for "", removes) a view's comment.
func commentSQL(d *Definition, comment string) string {
	value := "NULL"
	if comment != "" {
		value = quoteLiteral(comment)
	}
	sql := "COMMENT ON " + d.kind() + " " + quoteIdent(d.Name) + " IS " + value
	if pretty, err := Pretty(sql); err == nil {
		return pretty
	}
	return sql + ";\n"
}

// CommentSQL is the COMMENT ON statement setting d's comment.
func CommentSQL(d *Definition) string { return commentSQL(d, d.Comment) }
