namespace GpuEnet.Kernels.Ilgpu;

/// <summary>
/// The one-byte codes of a bounded gradient (see <see cref="GradientBound"/>): code c stands for
/// <c>|G| ≤ limit·2^((c − 255)/16)</c>, and c = 0 for <c>|G| ≤ limit·2⁻¹⁶</c>. <see cref="Encode"/> runs in the kernel (and in
/// the traffic model, so that both give the solver the same values), <see cref="Decode"/> on the host.
/// </summary>
internal static class GradientCodes
{
    /// <summary>
    /// Codes per octave: a code overstates |G| by less than one step of 2^(1/16) (4.4 %), or two (9 %) where |G| lies within
    /// the 1e-12 rounding margin of a step.
    /// </summary>
    public const double CodesPerOctave = 16;

    // 2^(1/16).
    private const double OctaveStep = 1.0442737824274138;

    private static readonly double[] s_scale = Scale();

    /// <summary>
    /// The smallest code whose bound is ≥ <paramref name="magnitude"/> (≤ <paramref name="limit"/>): magnitude/limit = m·2^e
    /// with m in [1, 2), then the number of 2^(1/16) steps that reach m, with a 1e-12 margin for the rounding of the steps
    /// against the host's powers. Bit arithmetic and at most 17 multiplications: a log₂ (XMath) compiles to a software
    /// routine that spills to local memory.
    /// </summary>
    public static byte Encode(double magnitude, double limit)
    {
        double ratio = magnitude / limit;
        if (!(ratio > 1.0 / 65536))
        {
            return 0;
        }

        long bits = BitConverter.DoubleToInt64Bits(ratio);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        double mantissa = BitConverter.Int64BitsToDouble((bits & 0xFFFFFFFFFFFFFL) | (1023L << 52)) * (1 + 1e-12);
        int steps = 0;
        double reach = 1.0;
        while (reach < mantissa)
        {
            reach *= OctaveStep;
            steps++;
        }

        int code = 255 + (16 * exponent) + steps;
        return (byte)(code < 1 ? 1 : code > 255 ? 255 : code);
    }

    /// <summary>The upper bound code <paramref name="code"/> stands for.</summary>
    public static double Decode(byte code, double limit) => limit * s_scale[code];

    private static double[] Scale()
    {
        var scale = new double[256];
        scale[0] = 1.0 / 65536;
        for (int c = 1; c < 256; c++)
        {
            scale[c] = Math.Pow(2, (c - 255) / CodesPerOctave);
        }

        return scale;
    }
}
