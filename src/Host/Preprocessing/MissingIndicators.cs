using GpuEnet.Host.Cli;
using GpuEnet.Kernels;

namespace GpuEnet.Host.Preprocessing;

/// <summary>
/// X with one extra 0/1 feature <c>name__missing</c> per input column that has missing cells. The indicators are
/// facts of the data, not learnt from it, so they cannot leak held-out information; they are decoded on the fly
/// from the missing-row lists, never stored densely.
/// </summary>
public sealed class MissingIndicators : IColumnSource
{
    private readonly IColumnSource _inner;
    private readonly int[] _indicatorOf;

    private MissingIndicators(IColumnSource inner, int[] indicatorOf)
    {
        _inner = inner;
        _indicatorOf = indicatorOf;
    }

    /// <summary>Input columns (indices) that got an indicator, in feature order after the inputs.</summary>
    public IReadOnlyList<int> IndicatorColumns => _indicatorOf;

    /// <summary>Adds indicators for every column of <paramref name="x"/> with a missing cell; returns X itself when none.</summary>
    /// <exception cref="CliException">An indicator's name is already a column name (features must be unique).</exception>
    public static IColumnSource Add(IColumnSource x, string[] names, out string[] features, out int[] indicatorColumns)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(names);
        var withMissing = new List<int>();
        if (x.HasMissing)
        {
            for (int j = 0; j < x.Columns; j++)
            {
                if (x.MissingCount(j) > 0)
                {
                    withMissing.Add(j);
                }
            }
        }

        indicatorColumns = [.. withMissing];
        features = [.. names, .. withMissing.Select(j => names[j] + "__missing")];
        var seen = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (int j in withMissing)
        {
            string name = names[j] + "__missing";
            if (seen.Contains(name))
            {
                throw new CliException(
                    $"--missing-indicators would add the feature '{name}' for column '{names[j]}', but the data already has a column of that name; rename it (or --ignore it).");
            }
        }

        return withMissing.Count == 0 ? x : new MissingIndicators(x, indicatorColumns);
    }

    /// <inheritdoc/>
    public int Rows => _inner.Rows;

    /// <inheritdoc/>
    public int Columns => _inner.Columns + _indicatorOf.Length;

    /// <inheritdoc/>
    public Precision Precision => _inner.Precision;

    /// <inheritdoc/>
    public long StorageBytes => _inner.StorageBytes;

    /// <inheritdoc/>
    public bool HasMissing => _inner.HasMissing;

    /// <inheritdoc/>
    public ReadOnlySpan<double> Column(int j, Span<double> scratch)
    {
        if (j < _inner.Columns)
        {
            return _inner.Column(j, scratch);
        }

        var dst = scratch[..Rows];
        dst.Clear();
        foreach (int i in _inner.MissingRows(_indicatorOf[j - _inner.Columns]))
        {
            dst[i] = 1;
        }

        return dst;
    }

    /// <inheritdoc/>
    public ReadOnlySpan<int> MissingRows(int j) => j < _inner.Columns ? _inner.MissingRows(j) : [];

    /// <inheritdoc/>
    public int MissingCount(int j) => j < _inner.Columns ? _inner.MissingCount(j) : 0;
}
