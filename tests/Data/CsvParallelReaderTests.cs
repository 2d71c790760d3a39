using System.Globalization;
using System.Text;
using GpuEnet.Host.Cli;
using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using Xunit;
using static GpuEnet.Tests.Data.TestWriters;

namespace GpuEnet.Tests.Data;

/// <summary>
/// The mapped reader (a file split into parts at line ends, parsed in parallel, delimiters found 32 bytes at a time)
/// against the stream reader on one core and against the scalar delimiter search: same matrix, missing cells, target,
/// weights, rows and errors, whatever the number of parts.
/// </summary>
public sealed class CsvParallelReaderTests
{
    private enum Mode
    {
        Mapped,
        Stream,
        Scalar,
    }

    private static Dataset Load(DataRequest request, Mode mode, int? parts = null)
    {
        CsvTableReader.ForceStream.Value = mode == Mode.Stream;
        CsvRows.ForceScalar.Value = mode == Mode.Scalar;
        CsvTableReader.ForceParts.Value = parts;
        try
        {
            return DataLoader.Load(request);
        }
        finally
        {
            CsvTableReader.ForceStream.Value = false;
            CsvRows.ForceScalar.Value = false;
            CsvTableReader.ForceParts.Value = null;
        }
    }

    private static string Message(DataRequest request, Mode mode, int? parts = null) =>
        Assert.Throws<CliException>(() => Load(request, mode, parts)).Message;

    /// <summary>A messy file: CRLF, lone CR and LF line ends, blank lines, quoted lines, missing cells and targets, wide and narrow values.</summary>
    private static string Messy(int rows, int p, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("id,y,w");
        for (int j = 0; j < p; j++)
        {
            sb.Append(",x").Append(j);
        }

        sb.Append('\n');
        for (int i = 0; i < rows; i++)
        {
            if (rng.Next(20) == 0)
            {
                sb.Append(rng.Next(2) == 0 ? "\n" : "\r\n"); // a blank line
            }

            bool quoted = rng.Next(15) == 0;
            sb.Append(quoted ? "\"s" + i + "\"" : "s" + i.ToString(CultureInfo.InvariantCulture));
            sb.Append(',').Append(rng.Next(12) == 0 ? "NA" : (rng.NextDouble() * 10).ToString("R", CultureInfo.InvariantCulture));
            sb.Append(',').Append(rng.Next(30) == 0 ? "" : rng.NextDouble().ToString("G6", CultureInfo.InvariantCulture));
            for (int j = 0; j < p; j++)
            {
                sb.Append(',');
                int kind = rng.Next(40);
                string cell = kind switch
                {
                    0 => "",
                    1 => "NA",
                    2 => " 1.5 ",
                    3 => "123456789012345678901234",
                    4 => "-0",
                    _ => ((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-5, 6))).ToString(kind % 2 == 0 ? "G17" : "R", CultureInfo.InvariantCulture),
                };
                sb.Append(quoted && j == 0 ? "\"" + cell + "\"" : cell);
            }

            int end = rng.Next(10);
            sb.Append(end == 0 ? "\r" : end == 1 ? "\r\n" : "\n");
        }

        return sb.ToString();
    }

    private static void AssertSame(Dataset a, Dataset b)
    {
        Assert.Equal(a.Features, b.Features);
        Assert.Equal(a.X.Rows, b.X.Rows);
        Assert.Equal(a.SourceRows, b.SourceRows);
        Assert.Equal(a.DroppedRows, b.DroppedRows);
        Assert.Equal(a.Y.Select(BitConverter.DoubleToInt64Bits), b.Y.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(a.Weights, b.Weights);
        for (int j = 0; j < a.X.Columns; j++)
        {
            Assert.Equal(Col(a.X, j).Select(BitConverter.DoubleToInt64Bits), Col(b.X, j).Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(a.X.MissingRows(j).ToArray(), b.X.MissingRows(j).ToArray());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public void PartsGiveWhatOneStreamGives(int parts)
    {
        using var dir = new TempDir();
        string f = dir.Write("m.csv", Messy(300, 23, parts));
        var request = new DataRequest(f) { Target = "y", WeightsColumn = "w", Ignore = ["id"] };
        var reference = Load(request, Mode.Stream);
        Assert.True(reference.DroppedRows > 0);
        Assert.True(reference.X.HasMissing);
        AssertSame(reference, Load(request, Mode.Mapped, parts));
        AssertSame(reference, Load(request, Mode.Scalar, parts));
    }

    [Fact]
    public void ValuesAreThoseOfDoubleParse()
    {
        using var dir = new TempDir();
        var rng = new Random(3);
        var values = new double[200, 40];
        var sb = new StringBuilder(string.Join(',', Enumerable.Range(0, 40).Select(j => "c" + j)) + "\n");
        for (int i = 0; i < 200; i++)
        {
            for (int j = 0; j < 40; j++)
            {
                double v = BitConverter.Int64BitsToDouble(rng.NextInt64());
                v = double.IsFinite(v) ? v : 1;
                values[i, j] = v;
                sb.Append(j == 0 ? "" : ",").Append(v.ToString(j % 3 == 0 ? "E16" : "R", CultureInfo.InvariantCulture));
            }

            sb.Append('\n');
        }

        string f = dir.Write("v.csv", sb.ToString());
        var d = Load(new DataRequest(f), Mode.Mapped, 3);
        for (int j = 0; j < 40; j++)
        {
            var col = Col(d.X, j);
            for (int i = 0; i < 200; i++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(values[i, j]), BitConverter.DoubleToInt64Bits(col[i]));
            }
        }
    }

    [Fact]
    public void TheFirstBadLineOfTheFileIsReportedWhicheverPartFindsIt()
    {
        using var dir = new TempDir();
        var lines = new List<string> { "a,b,y" };
        for (int i = 0; i < 500; i++)
        {
            lines.Add(i == 410 ? "1,oops,3" : i == 120 ? "1,2,3,4" : i == 480 ? "1,2" : "1,2,3");
            if (i % 50 == 0)
            {
                lines.Add("");
            }
        }

        string f = dir.Write("bad.csv", string.Join("\r\n", lines) + "\r\n");
        var request = new DataRequest(f) { Target = "y" };
        string expected = Message(request, Mode.Stream);
        Assert.Contains("line 125,", expected, StringComparison.Ordinal); // the header, 121 rows, 3 blank lines
        Assert.Contains("more fields", expected, StringComparison.Ordinal);
        foreach (int parts in new[] { 1, 2, 5, 17, 200 })
        {
            Assert.Equal(expected, Message(request, Mode.Mapped, parts));
        }

        // Only the later errors: the one in a late part is found with its file line number.
        lines[lines.IndexOf("1,2,3,4")] = "1,2,3";
        string f2 = dir.Write("bad2.csv", string.Join("\r\n", lines) + "\r\n");
        string expected2 = Message(new DataRequest(f2) { Target = "y" }, Mode.Stream);
        Assert.Contains("line 421, column 'b': 'oops' is not a number", expected2, StringComparison.Ordinal);
        foreach (int parts in new[] { 2, 9, 300 })
        {
            Assert.Equal(expected2, Message(new DataRequest(f2) { Target = "y" }, Mode.Mapped, parts));
        }
    }

    [Fact]
    public void ATargetFileTooShortIsReportedBeforeALaterBadLine()
    {
        using var dir = new TempDir();
        var sb = new StringBuilder("a,b\n");
        for (int i = 0; i < 100; i++)
        {
            sb.Append(i == 90 ? "1,x\n" : "1,2\n");
        }

        string f = dir.Write("d.csv", sb.ToString());
        string y = dir.Write("y.txt", string.Join('\n', Enumerable.Range(0, 50)) + "\n");
        string expected = Message(new DataRequest(f) { TargetFile = y }, Mode.Stream);
        Assert.Contains("has 50 values", expected, StringComparison.Ordinal);
        foreach (int parts in new[] { 1, 2, 4, 30 })
        {
            Assert.Equal(expected, Message(new DataRequest(f) { TargetFile = y }, Mode.Mapped, parts));
        }

        string y91 = dir.Write("y91.txt", string.Join('\n', Enumerable.Range(0, 91)) + "\n");
        string bad = Message(new DataRequest(f) { TargetFile = y91 }, Mode.Stream);
        Assert.Contains("'x' is not a number", bad, StringComparison.Ordinal);
        Assert.Equal(bad, Message(new DataRequest(f) { TargetFile = y91 }, Mode.Mapped, 4));
    }

    [Fact]
    public void Float32OverflowNamesTheFirstCellInRowOrder()
    {
        using var dir = new TempDir();
        var sb = new StringBuilder("a,b,c,y\n");
        for (int i = 0; i < 300; i++)
        {
            sb.Append(i == 200 ? "1,2,1e300,1\n" : i == 250 ? "1e300,2,3,1\n" : "1,2,3,1\n");
        }

        string f = dir.Write("d.csv", sb.ToString());
        string m = Message(new DataRequest(f) { Target = "y", Precision = Precision.Float32 }, Mode.Mapped, 3);
        Assert.Equal($"'{f}' row 201, column 'c': 1E+300 does not fit in float32 (largest ±3.4e38); use --precision float64.", m);
    }

    [Fact]
    public void WideRowsSpanningManyVectorBlocks()
    {
        using var dir = new TempDir();
        var rng = new Random(11);
        int p = 5000;
        var sb = new StringBuilder(string.Join('\t', Enumerable.Range(0, p).Select(j => "g" + j)) + "\ty\n");
        var expected = new double[4, p];
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < p; j++)
            {
                expected[i, j] = Math.Round(rng.NextDouble() * 100, rng.Next(0, 12));
                sb.Append(expected[i, j].ToString("R", CultureInfo.InvariantCulture)).Append('\t');
            }

            sb.Append(i).Append('\n');
        }

        string f = dir.Write("w.tsv", sb.ToString());
        foreach (var mode in new[] { Mode.Mapped, Mode.Scalar, Mode.Stream })
        {
            var d = Load(new DataRequest(f) { Target = "y" }, mode, 2);
            Assert.Equal([0.0, 1, 2, 3], d.Y);
            for (int j = 0; j < p; j += 7)
            {
                Assert.Equal(Enumerable.Range(0, 4).Select(i => expected[i, j]), Col(d.X, j));
            }
        }
    }
}
