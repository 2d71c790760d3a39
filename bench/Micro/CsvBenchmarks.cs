using System.Buffers.Text;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using GpuEnet.Host.Data;

namespace GpuEnet.Bench;

/// <summary>
/// Issue 17's loading goal. <c>ParseNumbers</c>: one core parsing a million cells as data files write them
/// (N(0, 1) values at <c>%.17g</c>, as in the 102 MB case), with <see cref="FastDouble"/>, <c>double.Parse</c> and
/// <c>Utf8Parser</c> (what the reader used before). <c>CsvLoadBenchmarks.LoadCsv</c>: the whole reader on the 100 × 50,000 case
/// (header, target column, ~101 MB), on both cores (the default for a plain file) or as one stream on one core.
/// <c>MB/s</c> = bytes of text / median time.
/// </summary>
[Config(typeof(MicroConfig))]
public class CsvParseBenchmarks
{
    private byte[] _text = [];
    private int[] _starts = [];

    [Params("FastDouble", "double.Parse", "Utf8Parser")]
    public string Parser { get; set; } = "FastDouble";

    /// <summary>A million N(0, 1) values at <c>%.17g</c>, comma-terminated, and where each starts.</summary>
    public static (byte[] Text, int[] Starts) Numbers()
    {
        var rng = new Random(1);
        var sb = new StringBuilder();
        var starts = new List<int>();
        for (int i = 0; i < 1_000_000; i++)
        {
            starts.Add(sb.Length);
            sb.Append(CsvLoadBenchmarks.Normal(rng).ToString("G17", CultureInfo.InvariantCulture)).Append(',');
        }

        starts.Add(sb.Length);
        return (Encoding.ASCII.GetBytes(sb.ToString()), [.. starts]);
    }

    [GlobalSetup]
    public void Setup() => (_text, _starts) = Numbers();

    [Benchmark]
    public double ParseNumbers()
    {
        double sum = 0;
        var text = _text.AsSpan();
        int[] starts = _starts;
        for (int k = 0; k + 1 < starts.Length; k++)
        {
            var cell = text[starts[k]..(starts[k + 1] - 1)];
            double v;
            switch (Parser)
            {
                case "FastDouble":
                    FastDouble.TryParse(cell, out v);
                    break;
                case "double.Parse":
                    v = double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);
                    break;
                default:
                    Utf8Parser.TryParse(cell, out v, out _);
                    break;
            }

            sum += v;
        }

        return sum;
    }
}

/// <summary>The whole CSV reader on issue 17's 100 × 50,000 case (see <see cref="CsvParseBenchmarks"/>).</summary>
[Config(typeof(MicroConfig))]
public class CsvLoadBenchmarks
{
    /// <summary>The generated file (kept in the temporary folder between runs).</summary>
    public static string File100x50000 => Path.Combine(Path.GetTempPath(), "gpuenet-bench-100x50000.csv");

    [Params("both cores", "one stream")]
    public string Reader { get; set; } = "both cores";

    [GlobalSetup]
    public void Setup()
    {
        string file = File100x50000;
        if (File.Exists(file))
        {
            return;
        }

        var rng = new Random(1);
        using (var w = new StreamWriter(file + ".tmp", false, new UTF8Encoding(false), 1 << 20))
        {
            w.Write("y");
            for (int j = 1; j <= 50_000; j++)
            {
                w.Write(",x" + j.ToString(CultureInfo.InvariantCulture));
            }

            w.Write('\n');
            for (int i = 0; i < 100; i++)
            {
                double z = Normal(rng);
                w.Write(Normal(rng).ToString("G17", CultureInfo.InvariantCulture));
                for (int j = 0; j < 50_000; j++)
                {
                    w.Write(',');
                    w.Write(((Math.Sqrt(0.95) * z) + (Math.Sqrt(0.05) * Normal(rng))).ToString("G17", CultureInfo.InvariantCulture));
                }

                w.Write('\n');
            }
        }

        File.Move(file + ".tmp", file, true);
    }

    [Benchmark]
    public int LoadCsv()
    {
        CsvTableReader.ForceStream.Value = Reader == "one stream";
        try
        {
            return DataLoader.Load(new DataRequest(File100x50000) { Target = "y" }).X.Columns;
        }
        finally
        {
            CsvTableReader.ForceStream.Value = false;
        }
    }

    internal static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}

/// <summary>Bytes of text parsed per second at the median time, 10^6 B/s (CSV benchmarks only).</summary>
public sealed class TextThroughputColumn : IColumn
{
    public string Id => nameof(TextThroughputColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 2;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes of text parsed per second at the median time, 10^6 B/s";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => IsCsv(c));

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (!IsCsv(benchmarkCase) || summary[benchmarkCase]?.ResultStatistics is not { } stats)
        {
            return "-";
        }

        // Median is in nanoseconds: bytes / ns × 1000 is 10^6 B/s.
        long bytes = benchmarkCase.Descriptor.Type == typeof(CsvParseBenchmarks) ? s_numberBytes.Value : new FileInfo(CsvLoadBenchmarks.File100x50000).Length;
        return (bytes / stats.Median * 1000).ToString("F0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;

    // Measured in the host process, which did not run the setup.
    private static readonly Lazy<long> s_numberBytes = new(() => CsvParseBenchmarks.Numbers().Text.Length);

    private static bool IsCsv(BenchmarkCase c) => c.Descriptor.Type == typeof(CsvParseBenchmarks) || c.Descriptor.Type == typeof(CsvLoadBenchmarks);
}
