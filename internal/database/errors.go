package database

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes solarview turns into one-line user errors.
const (
	UniqueViolation     = "23505"
	ForeignKeyViolation = "23503"
	CheckViolation      = "23514"
	ExclusionViolation  = "23P01"
	NotNullViolation    = "23502"
)

// PgError returns the PostgreSQL error inside err, if there is one, so
// commands can explain a constraint the database enforced.
func PgError(err error) (*pgconn.PgError, bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr, true
	}
	return nil, false
}

// IsViolation reports whether err is a PostgreSQL error with SQLSTATE code,
// and returns the name of the constraint involved.
func IsViolation(err error, code string) (constraint string, ok bool) {
	pgErr, ok := PgError(err)
	if !ok || pgErr.Code != code {
		return "", false
	}
	return pgErr.ConstraintName, true
}
