// Builds the Dapr daprd binary from the github.com/dapr/dapr module, for machines
// where `dapr init` cannot download it (see tools/stack/dapr-install.mjs).
package main

import "github.com/dapr/dapr/cmd/daprd/app"

func main() { app.Run() }
