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
        cache.Prepare([3, 1, 3, 8]);
        Assert.Equal(3, cache.Copies);
        var scratch = new double[7];
        foreach (int j in new[] { 3, 1, 8 })
        {
            Assert.Equal(x.Column(j, scratch).ToArray(), cache.Column(j).ToArray());
        }

        Assert.True(cache.Column(0).IsEmpty);
    }

    [Fact]
    public void AFullCacheStartsOverWithTheNewColumnsAndKeepsWhatFits()
    {
        var x = Source(5, 12);
        var cache = new ColumnCache(x, 8L * 5 * 3);
        cache.Prepare([0, 1, 2]);
        cache.Prepare([0, 1, 2]);
        Assert.Equal(3, cache.Copies);

        // Two new columns do not fit beside three: the cache starts over with them.
        cache.Prepare([4, 5]);
        Assert.True(cache.Column(0).IsEmpty);
        var scratch = new double[5];
        Assert.Equal(x.Column(5, scratch).ToArray(), cache.Column(5).ToArray());

        // More than fit at all: the first three are cached, the rest read from X by the caller.
        cache.Prepare([6, 7, 8, 9, 10]);
        Assert.False(cache.Column(8).IsEmpty);
        Assert.True(cache.Column(9).IsEmpty);
        Assert.Equal(x.Column(7, scratch).ToArray(), cache.Column(7).ToArray());
    }

    [Fact]
    public void NoBudgetCachesNothing()
    {
        var x = Source(4, 3);
        var cache = new ColumnCache(x, 0);
        cache.Prepare([0, 1]);
        Assert.True(cache.Column(0).IsEmpty);
        Assert.Equal(0, cache.Copies);
    }
}
