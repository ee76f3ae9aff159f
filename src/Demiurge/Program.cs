using Demiurge.Cli;

return await DemiurgeCli.InvokeAsync(args);
