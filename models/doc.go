// Package models holds solarview's Bun models: one struct per table, and
// read-only structs in front of the views registered in package views.
//
// Table models mirror the SQL in package migrations, which is the authority
// for the schema: constraints live in the database, and the Go structs only
// describe columns so Bun can read and write them. View models are never
// inserted into or deleted from; a relation from a table model to a view model
// must not cascade, because PostgreSQL cannot delete from a view.
package models
