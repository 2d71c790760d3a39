namespace GpuEnet.Kernels;

/// <summary>
/// Per-problem standardisation applied algebraically by the kernels: for column j of problem b,
/// x̃_ij = (x_ij − Centre[j,b]) · InverseScale[j,b], and a missing x_ij counts as Fill[j,b].
/// All arrays are p × B column-major (problem b at <c>[b*p, (b+1)*p)</c>).
/// </summary>
public sealed class ColumnTransform
{
    /// <summary>Allocates the transform for <paramref name="columns"/> features and <paramref name="batch"/> problems.</summary>
    public ColumnTransform(int columns, int batch)
    {
        Columns = columns;
        Batch = batch;
        Centre = new double[(long)columns * batch];
        InverseScale = new double[(long)columns * batch];
        Fill = new double[(long)columns * batch];
    }

    /// <summary>Features p.</summary>
    public int Columns { get; }

    /// <summary>Problems B.</summary>
    public int Batch { get; }

    /// <summary>c_jb.</summary>
    public double[] Centre { get; }

    /// <summary>1/s_jb; 0 for a constant column (its x̃ is then 0 and it never enters the model).</summary>
    public double[] InverseScale { get; }

    /// <summary>Value a missing x_ij takes in problem b (only read where the source has missing values).</summary>
    public double[] Fill { get; }
}
