using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using Xunit;
using static GpuEnet.Tests.Data.TestWriters;

namespace GpuEnet.Tests.Data;

public class NpyReaderTests
{
    private static double[,] Sample(int n, int p)
    {
        var x = new double[n, p];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < p; j++)
            {
                x[i, j] = (i * 10) + j + 0.25; // exact in float32 too
            }
        }

        return x;
    }

    private static void AssertSame(double[,] x, IColumnSource m, int[]? rows = null, int[]? columns = null)
    {
        rows ??= [.. Enumerable.Range(0, x.GetLength(0))];
        columns ??= [.. Enumerable.Range(0, x.GetLength(1))];
        Assert.Equal(rows.Length, m.Rows);
        Assert.Equal(columns.Length, m.Columns);
        for (int f = 0; f < columns.Length; f++)
        {
            var col = Col(m, f);
            for (int i = 0; i < rows.Length; i++)
            {
                Assert.Equal(x[rows[i], columns[f]], col[i]);
            }
        }
    }

    [Theory]
    [InlineData(false, false, 1)]
    [InlineData(false, true, 1)]
    [InlineData(true, false, 1)]
    [InlineData(true, true, 1)]
    [InlineData(false, false, 2)]
    [InlineData(true, false, 2)]
    [InlineData(true, true, 2)]
    public void BothOrdersDtypesAndVersions(bool fortran, bool single, int major)
    {
        using var dir = new TempDir();
        string f = dir.File("x.npy");
        var x = Sample(7, 5);
        Npy(f, x, fortran, single, major);
        var d = DataLoader.Load(new DataRequest(f));
        AssertSame(x, d.X);
        Assert.Equal(["x1", "x2", "x3", "x4", "x5"], d.Features);
        Assert.Empty(d.Y);
        if (fortran)
        {
            var mapped = Assert.IsType<MappedMatrix>(d.X);
            Assert.Equal(single ? Precision.Float32 : Precision.Float64, mapped.Precision);
            mapped.Dispose();
        }
        else
        {
            Assert.IsType<DenseMatrix>(d.X);
        }
    }

    [Fact]
    public void MappedFloat64ColumnsAreViewsOfTheFile()
    {
        using var dir = new TempDir();
        string f = dir.File("x.npy");
        var x = Sample(6, 3);
        Npy(f, x, fortran: true, single: false);
        using var m = Assert.IsType<MappedMatrix>(DataLoader.Load(new DataRequest(f)).X);
        var scratch = new double[6];
        var col = m.Column(2, scratch);
        Assert.Equal(x[4, 2], col[4]);
        Assert.Equal(0, scratch[4]); // not decoded into scratch: a view of the mapping
        Assert.Equal(6L * 3 * 8, m.StorageBytes);

        string c = dir.File("c.npy");
        Npy(c, x, fortran: false, single: false);
        var copied = DataLoader.Load(new DataRequest(c)).X;
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(Col(m, j), Col(copied, j));
        }
    }

    [Fact]
    public void TargetColumnAndWeightsByNameAreRemovedFromFeatures()
    {
        using var dir = new TempDir();
        string f = dir.File("x.npy");
        var x = Sample(4, 4);
        Npy(f, x, fortran: true, single: false);
        var d = DataLoader.Load(new DataRequest(f) { Target = "x2", WeightsColumn = "x4" });
        Assert.Equal(["x1", "x3"], d.Features);
        Assert.Equal([1.25, 11.25, 21.25, 31.25], d.Y);
        Assert.Equal([3.25, 13.25, 23.25, 33.25], d.Weights!);
        using var m = Assert.IsType<MappedMatrix>(d.X);
        AssertSame(x, m, columns: [0, 2]);
    }

    [Fact]
    public void NamesSidecarIsUsed()
    {
        using var dir = new TempDir();
        string f = dir.File("x.npy");
        Npy(f, Sample(3, 2), fortran: false, single: true);
        File.WriteAllText(f + ".names", "age\nheight\n");
        var d = DataLoader.Load(new DataRequest(f) { Target = "height" });
        Assert.Equal(["age"], d.Features);
        Assert.Equal([1.25, 11.25, 21.25], d.Y);

        File.WriteAllText(f + ".names", "age\n");
        Assert.Contains("x.npy.names", Fails(() => DataLoader.Load(new DataRequest(f))).Message);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void NaNIsMissingAndTargetFileDropsRows(bool fortran, bool single)
    {
        using var dir = new TempDir();
        string f = dir.File("x.npy");
        var x = Sample(5, 3);
        x[1, 0] = double.NaN;
        x[3, 2] = double.NaN;
        Npy(f, x, fortran, single);

        var all = DataLoader.Load(new DataRequest(f));
        var dense = Assert.IsType<DenseMatrix>(all.X); // a NaN must not stay in a mapped view
        Assert.Equal([1], dense.MissingRows(0).ToArray());
        Assert.Equal([3], dense.MissingRows(2).ToArray());
        Assert.Equal(0, dense[1, 0]);

        string t = dir.File("y.npy");
        NpyVector(t, [1, 2, double.NaN, 4, 5]);
        var d = DataLoader.Load(new DataRequest(f) { TargetFile = t });
        Assert.Equal(1, d.DroppedRows);
        Assert.Equal([1, 2, 4, 5], d.SourceRows!);
        Assert.Equal([1.0, 2, 4, 5], d.Y);
        Assert.Equal([2], d.X.MissingRows(2).ToArray()); // source row 4 is kept row 3 (index 2)
        Assert.Equal([1.25, 11.25, 31.25, 41.25], Col(d.X, 1));

        string txt = dir.Write("y.txt", "1\n2\n\n4\nNA\n");
        var e = DataLoader.Load(new DataRequest(f) { TargetFile = txt, Target = "outcome" });
        Assert.Equal(2, e.DroppedRows);
        Assert.Equal("outcome", e.Target);

        string bad = dir.Write("bad.txt", "1\n2\n");
        var ex = Fails(() => DataLoader.Load(new DataRequest(f) { TargetFile = bad }));
        Assert.Contains("bad.txt", ex.Message);
    }

    [Fact]
    public void Float32RequestCopiesFloat64()
    {
        using var dir = new TempDir();
        string f = dir.File("x.npy");
        var x = Sample(3, 2);
        Npy(f, x, fortran: true, single: false);
        var d = DataLoader.Load(new DataRequest(f) { Precision = Precision.Float32 });
        Assert.IsType<DenseMatrix32>(d.X);
        AssertSame(x, d.X);
    }

    [Fact]
    public void HeaderVariantsParse()
    {
        using var dir = new TempDir();
        string f = dir.File("x.npy");
        var x = Sample(2, 3);
        Npy(f, x, fortran: false, single: false, dictOverride: "{ \"shape\" : (2L, 3L) , \"fortran_order\":False,'descr':'<f8' }");
        AssertSame(x, DataLoader.Load(new DataRequest(f)).X);
    }

    [Fact]
    public void BadFilesAreErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        string magic = dir.Write("magic.npy", "this is not numpy");
        Assert.Contains("magic.npy", Fails(() => DataLoader.Load(new DataRequest(magic))).Message);

        string three = dir.File("three.npy");
        Npy(three, Sample(2, 2), false, false, dictOverride: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 2), }");
        Assert.Contains("three.npy' holds a 3-D array", Fails(() => DataLoader.Load(new DataRequest(three))).Message);

        string ints = dir.File("ints.npy");
        Npy(ints, Sample(2, 2), false, false, dictOverride: "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }");
        Assert.Contains("'<i8'", Fails(() => DataLoader.Load(new DataRequest(ints))).Message);

        string big = dir.File("big.npy");
        Npy(big, Sample(2, 2), false, false, dictOverride: "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }");
        Assert.Contains("big-endian", Fails(() => DataLoader.Load(new DataRequest(big))).Message);

        string trunc = dir.File("trunc.npy");
        Npy(trunc, Sample(2, 2), false, false, dictOverride: "{'descr': '<f8', 'fortran_order': False, 'shape': (20, 2), }");
        Assert.Contains("trunc.npy", Fails(() => DataLoader.Load(new DataRequest(trunc))).Message);

        string broken = dir.File("broken.npy");
        Npy(broken, Sample(2, 2), false, false, dictOverride: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2)");
        Assert.Contains("malformed", Fails(() => DataLoader.Load(new DataRequest(broken))).Message);

        string inf = dir.File("inf.npy");
        var x = Sample(2, 2);
        x[1, 1] = double.PositiveInfinity;
        Npy(inf, x, true, false);
        Assert.Contains("inf.npy' row 2, column 'x2'", Fails(() => DataLoader.Load(new DataRequest(inf))).Message);

        string ok = dir.File("ok.npy");
        Npy(ok, Sample(2, 2), true, false);
        Assert.Contains("'nope'", Fails(() => DataLoader.Load(new DataRequest(ok) { Target = "nope" })).Message);
    }
}
