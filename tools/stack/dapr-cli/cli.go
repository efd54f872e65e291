//go:build tools

// Pins github.com/dapr/cli for `go build github.com/dapr/cli` (see
// tools/stack/dapr-install.mjs). v1.12.0, not v1.18.0: the Go module proxy
// these machines reach refuses every github.com/dapr/cli version from
// v1.13.0's zip on; v1.12.0 is the newest it serves.
package tools

import _ "github.com/dapr/cli"
