// Builds the Dapr scheduler binary from the github.com/dapr/dapr module, for machines
// where `dapr init` cannot download it (see tools/stack/dapr-install.mjs).
package main

import "github.com/dapr/dapr/cmd/scheduler/app"

func main() { app.Run() }
