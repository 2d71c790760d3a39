namespace GpuEnet.Solver.Model;

/// <summary>Non-zero coefficients of one λ: 0-based feature indices in increasing order, and their values.</summary>
/// <param name="Index">Feature indices, increasing.</param>
/// <param name="Value">Coefficients, same length as <paramref name="Index"/>.</param>
public sealed record SparseCoefficients(int[] Index, double[] Value)
{
    /// <summary>No non-zero coefficient.</summary>
    public static SparseCoefficients Empty { get; } = new([], []);

    /// <summary>Collects the non-zeros of a dense vector.</summary>
    public static SparseCoefficients FromDense(ReadOnlySpan<double> dense)
    {
        int count = 0;
        foreach (double v in dense)
        {
            if (v != 0)
            {
                count++;
            }
        }

        var index = new int[count];
        var value = new double[count];
        int k = 0;
        for (int j = 0; j < dense.Length; j++)
        {
            if (dense[j] != 0)
            {
                index[k] = j;
                value[k++] = dense[j];
            }
        }

        return new SparseCoefficients(index, value);
    }

    /// <summary>Number of non-zeros.</summary>
    public int Count => Index.Length;

    /// <summary>Writes the coefficients into a dense vector of length p (zeros elsewhere).</summary>
    public void ToDense(Span<double> dense)
    {
        dense.Clear();
        for (int k = 0; k < Index.Length; k++)
        {
            dense[Index[k]] = Value[k];
        }
    }
}
