using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Validators;

namespace Nmsg.Benchmarks;

/// <summary>
/// The config every benchmark class applies with <c>[Config(typeof(BenchConfig))]</c>: allocations per operation,
/// operations per second, and a hard failure when the benchmarked assemblies were not built optimized.
/// The job is left to the command line (<c>--job short</c> etc.) so that it is not run twice.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public BenchConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.OperationsPerSecond);
        AddValidator(JitOptimizationsValidator.FailOnError);
    }
}
