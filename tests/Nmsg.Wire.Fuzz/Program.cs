using Nmsg.Fuzz;
using SharpFuzz;

// Under libfuzzer-dotnet: no arguments. To replay crash files or a corpus without libFuzzer:
// `dotnet run -c Release -- FILE_OR_DIR...` (each file is one input, first byte included).
if (args.Length == 0)
{
    Fuzzer.LibFuzzer.Run(WireTarget.Run);
    return 0;
}
return Replay.Run(args);
