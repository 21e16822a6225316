// Command solarview manages PostgreSQL views as code and prices what a home
// battery would save, from solar data kept in PostgreSQL. See README.md.
package main

import (
	"os"

	"github.com/solarview/solarview/internal/commands"
)

func main() {
	os.Exit(commands.Run())
}
