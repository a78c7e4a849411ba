using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "udp")
{
    await Nmsg.Benchmarks.UdpLoopback.RunAsync(args);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
