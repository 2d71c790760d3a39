using ILGPU;

namespace GpuEnet.Kernels.Ilgpu;

/// <summary>How X is stored on the device.</summary>
internal enum DeviceStorage
{
    /// <summary>float64, column-major.</summary>
    Float64 = 0,

    /// <summary>float32, column-major.</summary>
    Float32 = 1,

    /// <summary>PLINK-style 2-bit codes, column by column, four rows per byte (row i in bits 2(i mod 4)..+1).</summary>
    Packed2Bit = 2,
}

/// <summary>
/// X as a kernel reads it: one storage view in use (the others are one-element placeholders), a uniform switch on
/// <see cref="Storage"/>. <see cref="Read"/> returns x_ij as float64, or NaN for a missing cell (dense storage holds a
/// missing cell as NaN; the 2-bit code 01 is missing), so every kernel treats missing cells one way: as the problem's fill.
/// </summary>
internal readonly struct DesignView
{
    public DesignView(ArrayView<double> float64, ArrayView<float> float32, ArrayView<byte> packed, DeviceStorage storage, int rows)
    {
        Float64 = float64;
        Float32 = float32;
        Packed = packed;
        Storage = (int)storage;
        Rows = rows;
        PackedStride = (rows + 3) / 4;
    }

    public readonly ArrayView<double> Float64;
    public readonly ArrayView<float> Float32;
    public readonly ArrayView<byte> Packed;
    public readonly int Storage;
    public readonly int Rows;
    public readonly int PackedStride;

    /// <summary>x_ij as float64; NaN when the cell is missing.</summary>
    public double Read(int column, int row)
    {
        if (Storage == (int)DeviceStorage.Float64)
        {
            return Float64[((long)column * Rows) + row];
        }

        if (Storage == (int)DeviceStorage.Float32)
        {
            return Float32[((long)column * Rows) + row];
        }

        int code = (Packed[((long)column * PackedStride) + (row >> 2)] >> ((row & 3) << 1)) & 3;
        // PLINK .bed: 00 → 2 copies of A1, 10 → 1, 11 → 0, 01 → missing.
        return code == 0 ? 2.0 : code == 2 ? 1.0 : code == 3 ? 0.0 : double.NaN;
    }

    /// <summary>The 2-bit code of a dosage as <see cref="Read"/> decodes it (missing → 01).</summary>
    public static int Code(double dosage, bool missing) =>
        missing ? 1 : dosage == 2 ? 0 : dosage == 1 ? 2 : 3;
}
