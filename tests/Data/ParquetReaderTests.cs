using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using Parquet;
using Xunit;
using Xunit.Abstractions;

namespace GpuEnet.Tests.Data;

using Cli = GpuEnet.Tests.Cli.Cli;

/// <summary>
/// <c>--data x.parquet</c> on files written by an independent writer (DuckDB's <c>COPY … TO 'x.parquet'</c>): the same
/// data as a CSV gives the same path bit for bit, nulls are missing cells, the reader streams row groups and decodes only
/// the columns it needs.
/// </summary>
[Collection("Console")]
public sealed class ParquetReaderTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs SQL statements in an in-memory DuckDB.</summary>
    private static void DuckDb(params string[] statements)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        foreach (string sql in statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>DuckDB reads the CSV (NA = null) and writes it as Parquet in row groups of <paramref name="rowGroup"/> rows.</summary>
    private string CsvToParquet(string csv, string parquet, int rowGroup, string select = "*")
    {
        string path = _dir.File(parquet);
        DuckDb($"COPY (SELECT {select} FROM read_csv('{csv}', header = true, nullstr = 'NA')) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE {rowGroup})");
        return path;
    }

    private static int RowGroups(string parquet)
    {
        using var stream = File.OpenRead(parquet);
        var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        int count = reader.RowGroupCount;
        reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return count;
    }

    private static JsonElement Paths(string json) => JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("paths");

    [Fact]
    public void DuckDbParquetFitsToTheSamePathAsTheSameDataFromCsvWithNullsAsMissingCells()
    {
        // 6,000 rows: missing feature cells in x2 and x5, missing targets (dropped), an id column of text (ignored).
        string csv = Cli.WriteCsv(_dir.File("d.csv"), n: 6000, p: 6, seed: 5, cell: (i, j) => (j is 1 or 4) && (i * 13 + j) % 17 == 0 ? "NA" : null);
        string[] lines = File.ReadAllLines(csv);
        for (int i = 1; i < lines.Length; i++)
        {
            lines[i] = $"s{i}," + (i % 97 == 0 ? lines[i][..lines[i].LastIndexOf(',')] + ",NA" : lines[i]);
        }

        lines[0] = "id," + lines[0];
        File.WriteAllLines(csv, lines);
        string parquet = CsvToParquet(csv, "d.parquet", rowGroup: 2048);
        Assert.True(RowGroups(parquet) >= 3, $"expected several row groups, got {RowGroups(parquet)}");

        foreach (string[] extra in new[] { new[] { "--l1-ratio", "1,0.5" }, new[] { "--missing-indicators", "--impute", "median" } })
        {
            var fromCsv = Cli.Run(["fit", "--data", csv, "--target", "y", "--ignore", "id", "--out", _dir.File("c.gnet"), "--json", _dir.File("c.json"), "--quiet", .. extra]);
            Assert.True(fromCsv.Code == 0, fromCsv.Error);
            var fromParquet = Cli.Run(["fit", "--data", parquet, "--target", "y", "--ignore", "id", "--out", _dir.File("p.gnet"), "--json", _dir.File("p.json"), "--quiet", .. extra]);
            Assert.True(fromParquet.Code == 0, fromParquet.Error);
            var c = JsonDocument.Parse(File.ReadAllText(_dir.File("c.json"))).RootElement;
            var p = JsonDocument.Parse(File.ReadAllText(_dir.File("p.json"))).RootElement;
            Assert.Equal(c.GetProperty("dropped_rows").GetInt32(), p.GetProperty("dropped_rows").GetInt32());
            Assert.Equal(61, p.GetProperty("dropped_rows").GetInt32());
            Assert.Equal(c.GetProperty("features").GetRawText(), p.GetProperty("features").GetRawText());
            Assert.Equal(Paths(_dir.File("c.json")).GetRawText(), Paths(_dir.File("p.json")).GetRawText());
        }

        // predict reads the model's columns from Parquet as from CSV.
        foreach (var (data, predictions) in new[] { (csv, "c.csv"), (parquet, "p.csv") })
        {
            var r = Cli.Run("predict", "--model", _dir.File("p.gnet"), "--data", data, "--out", _dir.File(predictions), "--quiet");
            Assert.True(r.Code == 0, r.Error);
        }

        string[] fromCsvRows = File.ReadAllLines(_dir.File("c.csv")), fromParquetRows = File.ReadAllLines(_dir.File("p.csv"));
        Assert.Equal(fromCsvRows.Length, fromParquetRows.Length);
        int differ = Array.FindIndex(fromCsvRows, l => l != fromParquetRows[Array.IndexOf(fromCsvRows, l)]);
        Assert.True(fromCsvRows.SequenceEqual(fromParquetRows), differ < 0 ? "" : $"line {differ + 1}: '{fromCsvRows[differ]}' (CSV) vs '{fromParquetRows[differ]}' (Parquet)");
    }

    [Fact]
    public void ReadsIntegerDecimalAndBooleanColumnsAndNullsAsMissing()
    {
        string parquet = _dir.File("t.parquet");
        DuckDb(
            "CREATE TABLE t AS SELECT i::INTEGER AS a, (i * 3)::BIGINT AS b, (i / 4)::DECIMAL(9,2) AS c, (i % 2 = 0) AS d, " +
            "CASE WHEN i % 5 = 0 THEN NULL ELSE i * 0.5 END::DOUBLE AS e, (i % 3)::TINYINT AS f, i::FLOAT AS g, i * 1.0 AS y, 'r' || i AS name FROM range(1, 41) r(i)",
            $"COPY t TO '{parquet}' (FORMAT PARQUET, ROW_GROUP_SIZE 16)");
        var data = DataLoader.Load(new DataRequest(parquet) { Target = "y", Ignore = ["name"] });
        Assert.Equal(["a", "b", "c", "d", "e", "f", "g"], data.Features);
        Assert.Equal(40, data.X.Rows);
        var column = new double[40];
        var scratch = new double[40];
        data.X.Column(2, scratch).CopyTo(column);
        Assert.Equal(2.25, column[8]); // i = 9 → 9 / 4 = 2.25
        data.X.Column(3, scratch).CopyTo(column);
        Assert.Equal([0.0, 1.0, 0.0], column[..3]);
        Assert.Equal([4, 9, 14, 19, 24, 29, 34, 39], data.X.MissingRows(4).ToArray());
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (double)i), data.Y);

        // Text is refused unless ignored; an unknown column is named; predict's Keep reads only the kept columns.
        var text = Assert.Throws<GpuEnet.Host.Cli.CliException>(() => DataLoader.Load(new DataRequest(parquet) { Target = "y" }));
        Assert.Contains("'name'", text.Message, StringComparison.Ordinal);
        Assert.Contains("no target column named 'nope'", Assert.Throws<GpuEnet.Host.Cli.CliException>(() => DataLoader.Load(new DataRequest(parquet) { Target = "nope" })).Message, StringComparison.Ordinal);
        var kept = DataLoader.Load(new DataRequest(parquet) { Keep = ["e", "a"] });
        Assert.Equal(["a", "e"], kept.Features);
        Assert.Empty(kept.Y);
    }

    [Fact]
    public void DamagedAndForeignFilesAreOneLineErrors()
    {
        string csv = Cli.WriteCsv(_dir.File("d.csv"), n: 50, p: 3);
        string parquet = CsvToParquet(csv, "d.parquet", rowGroup: 2048);
        File.Copy(csv, _dir.File("text.parquet"));
        byte[] bytes = File.ReadAllBytes(parquet);
        File.WriteAllBytes(_dir.File("cut.parquet"), [.. bytes[..(bytes.Length / 2)], .. "PAR1"u8.ToArray()]);
        foreach (string bad in new[] { "text.parquet", "cut.parquet" })
        {
            var r = Cli.Run("fit", "--data", _dir.File(bad), "--target", "y", "--out", _dir.File("m.gnet"));
            Assert.Equal(1, r.Code);
            Assert.Contains(bad, r.OneLine(), StringComparison.Ordinal);
        }

        var missingTarget = Cli.Run("fit", "--data", parquet, "--target", "nope", "--out", _dir.File("m.gnet"));
        Assert.Equal(1, missingTarget.Code);
        Assert.Contains("nope", missingTarget.OneLine(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Peak resident memory of a fit whose solve is trivial (λ above λ_max), minus that of the same command on a tiny
    /// file, against the bytes of the decoded float64 matrix: the bound is 1.5×.
    /// </summary>
    [Fact]
    public void LoadingStaysWithinOneAndAHalfTimesTheDecodedMatrix()
    {
        const int Rows = 100_000, Columns = 120;
        string columns = string.Join(", ", Enumerable.Range(1, Columns).Select(j => $"CASE WHEN random() < 0.01 THEN NULL ELSE random() END AS x{j}"));
        string big = _dir.File("big.parquet"), tiny = _dir.File("tiny.parquet");
        DuckDb(
            "SELECT setseed(0.5)",
            $"COPY (SELECT {columns}, random() AS y FROM range({Rows})) TO '{big}' (FORMAT PARQUET)",
            $"COPY (SELECT {columns}, random() AS y FROM range(100)) TO '{tiny}' (FORMAT PARQUET)");
        long matrix = (long)Rows * Columns * sizeof(double);
        long peakBig = PeakRss(big), peakTiny = PeakRss(tiny);
        double ratio = (double)(peakBig - peakTiny) / matrix;
        output.WriteLine($"peak RSS {peakBig >> 20} MiB, baseline {peakTiny >> 20} MiB, decoded matrix {matrix >> 20} MiB: {ratio:F2}×");
        Console.Error.WriteLine($"Parquet load: peak RSS above baseline {(peakBig - peakTiny) >> 20} MiB for a {matrix >> 20} MiB matrix ({ratio:F2}×)");
        Assert.True(ratio <= 1.5, $"peak RSS above baseline is {ratio:F2}× the decoded matrix");
    }

    private long PeakRss(string parquet)
    {
        using var process = Cli.Start(_dir.Path, "fit", "--data", parquet, "--target", "y", "--lambda", "1e9", "--out", _dir.File("m.gnet"), "--quiet", "--threads", "1");
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        string status = $"/proc/{process.Id}/status";
        while (!process.HasExited)
        {
            try
            {
                foreach (string line in File.ReadLines(status))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        peak = Math.Max(peak, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
                    }
                }
            }
            catch (IOException)
            {
                break; // the process ended between the check and the read
            }

            Thread.Sleep(2);
        }

        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr.Result);
        Assert.True(peak > 0, "no /proc status was read");
        return peak;
    }
}
