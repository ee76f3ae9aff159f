// What nearly every part imports (docs/decisions/0006-part-dependencies.md): the two leaf
// namespaces, shared helpers in Common and the HTTP API's problem details, JSON and metrics in
// Api; and the framework's options, registration and typed-result namespaces.
global using Demiurge.Api;
global using Demiurge.Common;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Microsoft.Extensions.DependencyInjection.Extensions;
global using Microsoft.Extensions.Options;
