using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using GpuEnet.Kernels;

namespace GpuEnet.Bench;

/// <summary>
/// A short job (1 launch, 2 warm-up and 5 measured iterations of ~400 ms): the benchmark machines are small and
/// shared, so the numbers are indicative and the whole suite stays within minutes. Adds the allocation column
/// (hot paths should not allocate) and the two derived columns below.
/// </summary>
public sealed class MicroConfig : ManualConfig
{
    public MicroConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithIterationTime(TimeInterval.FromMilliseconds(400))
            .WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new BandwidthColumn(), new StepTimeColumn(), new TextThroughputColumn());
        AddColumn(StatisticColumn.Median);
    }
}

/// <summary>Bytes of X read per second (GB = 10⁹ B) at the median time; "-" where it does not apply.</summary>
public sealed class BandwidthColumn : IColumn
{
    public string Id => nameof(BandwidthColumn);

    public string ColumnName => "X GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes of X as stored (8 or 4 per element) read per second at the median time, 10^9 B/s";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(KernelBenchmarks));

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(KernelBenchmarks)
            || summary[benchmarkCase]?.ResultStatistics is not { } stats
            || benchmarkCase.Parameters["Size"] is not string size
            || benchmarkCase.Parameters["Storage"] is not Precision storage
            || KernelBenchmarks.BytesOfXRead(benchmarkCase.Descriptor.WorkloadMethod.Name, size, storage) is not long bytes)
        {
            return "-";
        }

        // Median is in nanoseconds, so bytes / ns is 10^9 B/s.
        return (bytes / stats.Median).ToString("F2", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}

/// <summary>Median time per coordinate step of the descent benchmark (11 problems × 200 entries × 5 sweeps).</summary>
public sealed class StepTimeColumn : IColumn
{
    public string Id => nameof(StepTimeColumn);

    public string ColumnName => "ns/step";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "ActiveSetDescent: median time / (problems × active entries × sweeps), nanoseconds";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(KernelBenchmarks));

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(KernelBenchmarks)
            || benchmarkCase.Descriptor.WorkloadMethod.Name != nameof(KernelBenchmarks.ActiveSetDescent)
            || summary[benchmarkCase]?.ResultStatistics is not { } stats)
        {
            return "-";
        }

        return (stats.Median / KernelBenchmarks.DescentSteps).ToString("F1", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
