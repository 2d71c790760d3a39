namespace GpuEnet.Kernels;

/// <summary>Storage precision of a design matrix.</summary>
public enum Precision
{
    /// <summary>8-byte IEEE doubles.</summary>
    Float64,

    /// <summary>4-byte IEEE singles; arithmetic that decides correctness still accumulates in float64.</summary>
    Float32,

    /// <summary>PLINK genotypes, two bits per call (0, 1, 2 or missing).</summary>
    Packed2Bit,
}

/// <summary>
/// A design matrix X (n rows × p columns) as the compute layer sees it: columns, each readable as float64.
/// Implementations keep their own storage (dense float64, dense float32, 2-bit packed genotypes, a memory map)
/// and never materialise more than one decoded column per caller-provided scratch buffer.
/// </summary>
public interface IColumnSource
{
    /// <summary>Number of observations n.</summary>
    int Rows { get; }

    /// <summary>Number of features p.</summary>
    int Columns { get; }

    /// <summary>How the values are stored.</summary>
    Precision Precision { get; }

    /// <summary>Bytes held by the storage of X (what "memory at most k× the bytes of X" refers to).</summary>
    long StorageBytes { get; }

    /// <summary>
    /// Column <paramref name="j"/> as float64. Returns a view of the storage when it already is float64,
    /// otherwise decodes into <paramref name="scratch"/> (length ≥ <see cref="Rows"/>) and returns that.
    /// Missing values (packed genotypes) decode as 0 and are reported by <see cref="MissingRows"/>.
    /// </summary>
    ReadOnlySpan<double> Column(int j, Span<double> scratch);

    /// <summary>
    /// Rows of column <paramref name="j"/> whose value is missing (decoded as 0), in increasing order; empty when none.
    /// Dense sources never have missing values (the host imputes before building them).
    /// </summary>
    ReadOnlySpan<int> MissingRows(int j);

    /// <summary>
    /// How many rows of column <paramref name="j"/> are missing: <see cref="MissingRows"/>' length, which a source that
    /// makes its lists on demand knows without making them.
    /// </summary>
    int MissingCount(int j) => MissingRows(j).Length;

    /// <summary>
    /// Which rows have a missing value in some column (length <see cref="Rows"/>): what listwise deletion drops. A source
    /// that found its missing cells when it was opened knows this without making every column's list.
    /// </summary>
    bool[] IncompleteRows()
    {
        var incomplete = new bool[Rows];
        for (int j = 0; j < Columns && HasMissing; j++)
        {
            foreach (int i in MissingRows(j))
            {
                incomplete[i] = true;
            }
        }

        return incomplete;
    }

    /// <summary>True when some column has missing values (only packed genotypes).</summary>
    bool HasMissing { get; }
}
