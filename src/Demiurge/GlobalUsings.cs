// The two leaf namespaces every part may use (docs/decisions/0006-part-dependencies.md): shared
// helpers in Common, and the HTTP API's problem details, JSON and metrics in Api.
global using Demiurge.Api;
global using Demiurge.Common;
