using System.Globalization;
using System.Text;
using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using Xunit;
using static GpuEnet.Tests.Data.TestWriters;

namespace GpuEnet.Tests.Data;

public class CsvReaderTests
{
    [Fact]
    public void ReadsColumnsTargetAndNames()
    {
        using var dir = new TempDir();
        string f = dir.Write("d.csv", "a,y,b\n1,10,-2.5\n2,20,3e2\n3,30,0.125\n");
        var d = DataLoader.Load(new DataRequest(f) { Target = "y" });
        Assert.Equal(["a", "b"], d.Features);
        Assert.IsType<DenseMatrix>(d.X);
        Assert.Equal(3, d.X.Rows);
        Assert.Equal([1.0, 2, 3], Col(d.X, 0));
        Assert.Equal([-2.5, 300, 0.125], Col(d.X, 1));
        Assert.Equal([10.0, 20, 30], d.Y);
        Assert.Equal([1, 2, 3], d.SourceRows!);
        Assert.Equal(0, d.DroppedRows);
        Assert.Equal("y", d.Target);
        Assert.False(d.X.HasMissing);
        Assert.Null(d.Weights);
    }

    [Fact]
    public void MissingCellsAreZeroAndDeclared()
    {
        using var dir = new TempDir();
        string f = dir.Write("d.csv", "y,a,b\r\n1,,5\r\n2,NA,6\r\n3,7,nan\r\n4,8,NaN\r\n5, N/A ,9\r\n");
        var d = DataLoader.Load(new DataRequest(f) { Target = "y" });
        Assert.True(d.X.HasMissing);
        Assert.Equal([0.0, 0, 7, 8, 0], Col(d.X, 0));
        Assert.Equal([0, 1, 4], d.X.MissingRows(0).ToArray());
        Assert.Equal([5.0, 6, 0, 0, 9], Col(d.X, 1));
        Assert.Equal([2, 3], d.X.MissingRows(1).ToArray());
    }

    [Fact]
    public void RowsWithMissingTargetOrWeightAreDroppedAndCounted()
    {
        using var dir = new TempDir();
        string f = dir.Write("d.csv", "a,y,w\n1,1,1\n,NA,1\n3,3,\n4,4,2\n5,,1\n6,6,0.5\n");
        var d = DataLoader.Load(new DataRequest(f) { Target = "y", WeightsColumn = "w" });
        Assert.Equal(3, d.DroppedRows);
        Assert.Equal([1, 4, 6], d.SourceRows!);
        Assert.Equal([1.0, 4, 6], d.Y);
        Assert.Equal([1.0, 2, 0.5], d.Weights!);
        Assert.Equal(["a"], d.Features);
        Assert.Equal([1.0, 4, 6], Col(d.X, 0));
        Assert.False(d.X.HasMissing); // the missing 'a' was on a dropped row
    }

    [Fact]
    public void MissingRowsIndexKeptRows()
    {
        using var dir = new TempDir();
        string f = dir.Write("d.csv", "a,y\n1,1\n2,NA\n,3\n");
        var d = DataLoader.Load(new DataRequest(f) { Target = "y" });
        Assert.Equal([1], d.X.MissingRows(0).ToArray());
    }

    [Fact]
    public void FeaturesOnlyKeepsEveryRow()
    {
        using var dir = new TempDir();
        string f = dir.Write("d.csv", "a,y\n1,NA\n2,\n3,5\n");
        var d = DataLoader.Load(new DataRequest(f) { WeightsColumn = "w" });
        Assert.Empty(d.Y);
        Assert.Equal(0, d.DroppedRows);
        Assert.Equal(["a", "y"], d.Features);
        Assert.Equal(3, d.X.Rows);
        Assert.Equal([0, 1], d.X.MissingRows(1).ToArray());
    }

    [Fact]
    public void GzipAndTsvAreRead()
    {
        using var dir = new TempDir();
        string gz = dir.WriteGz("d.csv.gz", "x1,x2,y\n1,2,3\n4,5,6\n");
        var d = DataLoader.Load(new DataRequest(gz) { Target = "y" });
        Assert.Equal([2.0, 5], Col(d.X, 1));
        Assert.Equal([3.0, 6], d.Y);

        string tsv = dir.Write("d.tsv", "x1\tx2\ty\n1\t2\t3\n4\t\t6\n");
        var t = DataLoader.Load(new DataRequest(tsv) { Target = "y" });
        Assert.Equal([1], t.X.MissingRows(1).ToArray());

        string tgz = dir.WriteGz("d.tsv.gz", "x1\ty\n7\t8\n");
        Assert.Equal([8.0], DataLoader.Load(new DataRequest(tgz) { Target = "y" }).Y);
    }

    [Fact]
    public void BrokenGzipIsAnError()
    {
        using var dir = new TempDir();
        string f = dir.Write("d.csv.gz", "not gzip at all, certainly not");
        var ex = Fails(() => DataLoader.Load(new DataRequest(f) { Target = "y" }));
        Assert.Contains("d.csv.gz", ex.Message);
    }

    [Fact]
    public void QuotedNamesAndCellsBomAndBlankLines()
    {
        using var dir = new TempDir();
        string f = dir.File("d.csv");
        File.WriteAllText(f, "\uFEFF\"age, years\",\"say \"\"hi\"\"\", y\n\"1.5\",2,3\n\n4,\"\",6\n", new UTF8Encoding(false));
        var d = DataLoader.Load(new DataRequest(f) { Target = "y" });
        Assert.Equal(["age, years", "say \"hi\""], d.Features);
        Assert.Equal([1.5, 4], Col(d.X, 0));
        Assert.Equal([1], d.X.MissingRows(1).ToArray());
        Assert.Equal([1, 2], d.SourceRows!);
    }

    [Fact]
    public void Float32WhenRequestedAndComplete()
    {
        using var dir = new TempDir();
        string f = dir.Write("d.csv", "a,b,y\n1,2,3\n4,5,6\n");
        var d = DataLoader.Load(new DataRequest(f) { Target = "y", Precision = Precision.Float32 });
        Assert.IsType<DenseMatrix32>(d.X);
        Assert.Equal([2.0, 5], Col(d.X, 1));

        string m = dir.Write("m.csv", "a,b,y\n1,,3\n4,5,6\n");
        var dm = DataLoader.Load(new DataRequest(m) { Target = "y", Precision = Precision.Float32 });
        Assert.IsType<DenseMatrix>(dm.X); // missing cells need the float64 contract
    }

    [Fact]
    public void ManyRowsAcrossChunks()
    {
        using var dir = new TempDir();
        const int N = 700, P = 2000; // > one 2^20-value chunk
        var sb = new StringBuilder();
        for (int j = 0; j < P; j++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"c{j},");
        }

        sb.Append("y\n");
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < P; j++)
            {
                sb.Append((i + (3 * j)) % 97).Append(',');
            }

            sb.Append(i).Append('\n');
        }

        string f = dir.Write("wide.csv", sb.ToString());
        var d = DataLoader.Load(new DataRequest(f) { Target = "y" });
        Assert.Equal(N, d.X.Rows);
        Assert.Equal(P, d.X.Columns);
        foreach (int j in new[] { 0, 1, 999, P - 1 })
        {
            var col = Col(d.X, j);
            for (int i = 0; i < N; i++)
            {
                Assert.Equal((i + (3 * j)) % 97, col[i]);
            }
        }

        Assert.Equal(N - 1, d.Y[^1]);
    }

    [Fact]
    public void TargetFileSuppliesTheTarget()
    {
        using var dir = new TempDir();
        string f = dir.Write("d.csv", "a,b\n1,2\n3,4\n5,6\n");
        string t = dir.Write("y.txt", "y\n1.5\nNA\n2.5\n\n");
        var d = DataLoader.Load(new DataRequest(f) { TargetFile = t });
        Assert.Equal([1.5, 2.5], d.Y);
        Assert.Equal(1, d.DroppedRows);
        Assert.Equal(["a", "b"], d.Features);

        string shortT = dir.Write("short.txt", "1\n2\n");
        var ex = Fails(() => DataLoader.Load(new DataRequest(f) { TargetFile = shortT }));
        Assert.Contains("short.txt", ex.Message);
        Assert.Contains("2 values", ex.Message);
    }

    [Fact]
    public void RaggedRowNamesFileLineAndColumn()
    {
        using var dir = new TempDir();
        string f = dir.Write("rag.csv", "a,b,y\n1,2,3\n4,5\n");
        var ex = Fails(() => DataLoader.Load(new DataRequest(f) { Target = "y" }));
        Assert.Contains("rag.csv", ex.Message);
        Assert.Contains("line 3", ex.Message);
        Assert.Contains("'y'", ex.Message);

        string g = dir.Write("long.csv", "a,b,y\n1,2,3,4\n");
        var ex2 = Fails(() => DataLoader.Load(new DataRequest(g) { Target = "y" }));
        Assert.Contains("long.csv' line 2", ex2.Message);
    }

    [Fact]
    public void TextInNumericColumnNamesFileLineAndColumn()
    {
        using var dir = new TempDir();
        string f = dir.Write("t.csv", "a,b,y\n1,2,3\n4,abc,6\n");
        var ex = Fails(() => DataLoader.Load(new DataRequest(f) { Target = "y" }));
        Assert.Equal("'" + f + "' line 3, column 'b': 'abc' is not a number.", ex.Message);

        string g = dir.Write("inf.csv", "a,y\nInfinity,1\n");
        Assert.Contains("column 'a'", Fails(() => DataLoader.Load(new DataRequest(g) { Target = "y" })).Message);

        string h = dir.Write("ty.csv", "a,y\n1,oops\n");
        Assert.Contains("line 2, column 'y'", Fails(() => DataLoader.Load(new DataRequest(h) { Target = "y" })).Message);
    }

    [Fact]
    public void BadHeaderAndBadWeightsAreErrors()
    {
        using var dir = new TempDir();
        string f = dir.Write("h.csv", "a,b,y\n1,2,3\n");
        var unknown = Fails(() => DataLoader.Load(new DataRequest(f) { Target = "target" }));
        Assert.Contains("h.csv' line 1, column 'target'", unknown.Message);
        Assert.Contains("'a', 'b', 'y'", unknown.Message);
        Assert.Contains("column 'ww'", Fails(() => DataLoader.Load(new DataRequest(f) { Target = "y", WeightsColumn = "ww" })).Message);

        string dup = dir.Write("dup.csv", "a,b,a\n1,2,3\n");
        Assert.Contains("dup.csv' line 1, column 'a'", Fails(() => DataLoader.Load(new DataRequest(dup))).Message);

        string empty = dir.Write("empty.csv", "");
        Assert.Contains("empty.csv' is empty", Fails(() => DataLoader.Load(new DataRequest(empty))).Message);

        string noRows = dir.Write("norows.csv", "a,y\n");
        Assert.Contains("norows.csv", Fails(() => DataLoader.Load(new DataRequest(noRows) { Target = "y" })).Message);

        string neg = dir.Write("neg.csv", "a,y,w\n1,2,1\n1,2,-1\n");
        Assert.Contains("neg.csv' line 3, column 'w'", Fails(() => DataLoader.Load(new DataRequest(neg) { Target = "y", WeightsColumn = "w" })).Message);

        string inf = dir.Write("winf.csv", "a,y,w\n1,2,inf\n");
        Assert.Contains("winf.csv' line 2, column 'w'", Fails(() => DataLoader.Load(new DataRequest(inf) { Target = "y", WeightsColumn = "w" })).Message);

        Assert.Contains("nothere.csv", Fails(() => DataLoader.Load(new DataRequest(dir.File("nothere.csv")))).Message);
        string xls = dir.Write("d.xlsx", "x");
        Assert.Contains("d.xlsx", Fails(() => DataLoader.Load(new DataRequest(xls))).Message);
    }
}
