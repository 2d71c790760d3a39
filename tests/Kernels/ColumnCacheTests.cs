using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using Xunit;

namespace GpuEnet.Tests.Kernels;

/// <summary>The descent's column cache: what it holds equals the decoded column, and a full cache starts over.</summary>
public sealed class ColumnCacheTests
{
    private static DenseMatrix32 Source(int n, int p)
    {
        var rng = new Random(5);
        var values = new double[n * p];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = rng.NextDouble() - 0.5;
        }

        return DenseMatrix32.FromDouble(new DenseMatrix(n, p, values));
    }

    [Fact]
    public void CachedColumnsEqualTheDecodedColumns()
    {
        var x = Source(7, 10);
        var cache = new ColumnCache(x, 8L * 7 * 10);
        cache.Prepare([3, 1, 3, 8], reused: true);
        Assert.Equal(3, cache.Copies);
        var scratch = new double[7];
        foreach (int j in new[] { 3, 1, 8 })
        {
            Assert.Equal(x.Column(j, scratch).ToArray(), cache.Column(j).ToArray());
        }

        Assert.True(cache.Column(0).IsEmpty);
    }

    [Fact]
    public void AFullCacheStartsOverForAMultiSweepCallAndKeepsWhatFits()
    {
        var x = Source(5, 12);
        var cache = new ColumnCache(x, 8L * 5 * 3);
        cache.Prepare([0, 1, 2], reused: true);
        cache.Prepare([0, 1, 2], reused: false);
        Assert.Equal(3, cache.Copies);

        // A one-sweep call that does not fit leaves the cache as it is.
        cache.Prepare([3, 4], reused: false);
        Assert.Equal(3, cache.Copies);
        Assert.False(cache.Column(0).IsEmpty);
        Assert.True(cache.Column(3).IsEmpty);

        // Two new columns of a multi-sweep call do not fit beside three: the cache starts over with them.
        cache.Prepare([4, 5], reused: true);
        Assert.True(cache.Column(0).IsEmpty);
        var scratch = new double[5];
        Assert.Equal(x.Column(5, scratch).ToArray(), cache.Column(5).ToArray());

        // More than fit at all: the first three are cached, the rest read from X by the caller.
        cache.Prepare([6, 7, 8, 9, 10], reused: true);
        Assert.False(cache.Column(8).IsEmpty);
        Assert.True(cache.Column(9).IsEmpty);
        Assert.Equal(x.Column(7, scratch).ToArray(), cache.Column(7).ToArray());
    }

    [Fact]
    public void Float64ColumnsAreCachedOnlyForCallsThatReadThemAgain()
    {
        var values = new double[6 * 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i * 0.25;
        }

        var x = new DenseMatrix(6, 4, values);
        var cache = new ColumnCache(x, 8L * 6 * 4);
        cache.Prepare([0, 2], reused: false);
        Assert.True(cache.Column(0).IsEmpty);
        Assert.Equal(0, cache.Copies);

        cache.Prepare([0, 2], reused: true);
        Assert.Equal(2, cache.Copies);
        Assert.Equal(values[12..18], cache.Column(2).ToArray());
    }

    [Fact]
    public void NoBudgetCachesNothing()
    {
        var x = Source(4, 3);
        var cache = new ColumnCache(x, 0);
        cache.Prepare([0, 1], reused: true);
        Assert.True(cache.Column(0).IsEmpty);
        Assert.Equal(0, cache.Copies);
    }
}
