package viewmig

/*
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

// These declarations mirror libpg_query's pg_query.h and postgres_deparse.h
// as vendored by github.com/pganalyze/pg_query_go/v6 (pinned in go.mod).
// pg_query_go links the C library into every binary that imports it but does
// not expose its pretty-printing deparser to Go, so this file calls it
// directly. The golden tests catch a layout change on upgrade: they compare
// whole pretty-printed files.
typedef struct {
	size_t len;
	char *data;
} viewmigProtobuf;

typedef struct {
	char *message;
	char *funcname;
	char *filename;
	int lineno;
	int cursorpos;
	char *context;
} viewmigError;

typedef struct {
	char *query;
	viewmigError *error;
} viewmigDeparseResult;

typedef struct {
	void **comments;
	size_t comment_count;
	bool pretty_print;
	int indent_size;
	int max_line_length;
	bool trailing_newline;
	bool commas_start_of_line;
} viewmigDeparseOpts;

viewmigDeparseResult pg_query_deparse_protobuf_opts(viewmigProtobuf parse_tree, viewmigDeparseOpts opts);
void pg_query_free_deparse_result(viewmigDeparseResult result);

static viewmigDeparseResult viewmig_pretty(void *data, size_t len, int indent) {
	viewmigProtobuf tree;
	tree.len = len;
	tree.data = data;
	viewmigDeparseOpts opts = {0};
	opts.pretty_print = true;
	opts.indent_size = indent;
	// A line length of 1 puts every list item (columns, GROUP BY keys) on a
	// line of its own, which is what makes diffs of views readable.
	opts.max_line_length = 1;
	return pg_query_deparse_protobuf_opts(tree, opts);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
)

// prettyIndent is the indentation of pretty-printed SQL, in spaces.
const prettyIndent = 4

// deparsePretty turns tree back into SQL text laid out on several lines:
// one clause keyword per line, one select-list item per line, nested queries
// indented. The output is a function of the tree alone, so it is
// deterministic, and it parses back to the same tree.
func deparsePretty(tree *pg.ParseResult) (string, error) {
	b, err := proto.Marshal(tree)
	if err != nil {
		return "", fmt.Errorf("encoding parse tree: %w", err)
	}
	if len(b) == 0 {
		return "", errors.New("empty parse tree")
	}
	data := C.CBytes(b)
	defer C.free(data)
	res := C.viewmig_pretty(unsafe.Pointer(data), C.size_t(len(b)), C.int(prettyIndent))
	defer C.pg_query_free_deparse_result(res)
	if res.error != nil {
		return "", fmt.Errorf("deparsing: %s", C.GoString(res.error.message))
	}
	return C.GoString(res.query), nil
}
