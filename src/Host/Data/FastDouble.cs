using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GpuEnet.Host.Data;

/// <summary>
/// Correctly rounded parsing of decimal numbers from UTF-8 bytes, several times faster than <c>double.Parse</c> on the
/// numbers data files hold. The Eisel–Lemire method: the decimal w·10^q (w up to 19 digits) is multiplied by a 128-bit
/// approximation of 5^q, which decides the rounding of all but a provably tiny set of inputs; those, numbers with more
/// than 19 significant digits and exponents past any 16-bit range go to <c>double.Parse</c>, so every result equals
/// what <c>double.Parse</c> (invariant culture, <see cref="NumberStyles.Float"/>) returns, bit for bit.
/// </summary>
/// <remarks>
/// References: D. Lemire, "Number parsing at a gigabyte per second", Software: Practice and Experience 51 (2021);
/// N. Mushtak and D. Lemire, "Fast number parsing without fallback" (2023), which shows the 128-bit product always
/// suffices (the fallback kept here for an all-ones low word is therefore never needed, only cheap insurance).
/// Written for this project from the papers; the 5^q table is a literal (no start-up cost), checked
/// in a test against <see cref="ComputePowersOfFive"/>.
/// </remarks>
internal static partial class FastDouble
{
    private const int SmallestPowerOfTen = -342;
    private const int LargestPowerOfTen = 308;

    // Exact powers of ten for Clinger's fast path (10^22 is the largest exactly representable one).
    private static ReadOnlySpan<double> ExactPowers =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Parses <paramref name="text"/> when it is exactly <c>[+-]digits[.digits][(e|E)[+-]digits]</c> (digits on at
    /// least one side of the point) and its value is finite. False for anything else — blanks, <c>NA</c>, <c>NaN</c>,
    /// <c>Infinity</c>, a value that overflows to ±∞ (<c>1e400</c>) — which the caller classifies the slow way.
    /// Underflow gives ±0, as <c>double.Parse</c> does.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        int len = text.Length;
        ref byte s = ref MemoryMarshal.GetReference(text);
        int i = 0;
        bool negative = false;
        if (len == 0)
        {
            value = 0;
            return false;
        }

        if (s == (byte)'-')
        {
            negative = true;
            i = 1;
        }
        else if (s == (byte)'+')
        {
            i = 1;
        }

        ulong w = 0;
        int intStart = i;
        while (i + 8 <= len && IsEightDigits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s, i))))
        {
            w = (w * 100_000_000) + EightDigits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s, i)));
            i += 8;
        }

        while (i < len && (uint)(Unsafe.Add(ref s, i) - '0') <= 9)
        {
            w = (w * 10) + (uint)(Unsafe.Add(ref s, i) - '0');
            i++;
        }

        int digits = i - intStart;
        long exponent = 0;
        if (i < len && Unsafe.Add(ref s, i) == (byte)'.')
        {
            i++;
            int fracStart = i;
            while (i + 8 <= len && IsEightDigits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s, i))))
            {
                w = (w * 100_000_000) + EightDigits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s, i)));
                i += 8;
            }

            while (i < len && (uint)(Unsafe.Add(ref s, i) - '0') <= 9)
            {
                w = (w * 10) + (uint)(Unsafe.Add(ref s, i) - '0');
                i++;
            }

            digits += i - fracStart;
            exponent = -(i - fracStart);
        }

        if (digits == 0)
        {
            value = 0;
            return false;
        }

        bool hard = false;
        if (i < len && (Unsafe.Add(ref s, i) | 0x20) == (byte)'e')
        {
            i++;
            bool expNegative = false;
            if (i < len && (Unsafe.Add(ref s, i) == (byte)'-' || Unsafe.Add(ref s, i) == (byte)'+'))
            {
                expNegative = Unsafe.Add(ref s, i) == (byte)'-';
                i++;
            }

            int expStart = i;
            int e = 0;
            while (i < len && (uint)(Unsafe.Add(ref s, i) - '0') <= 9)
            {
                if (e < 100_000)
                {
                    e = (e * 10) + (Unsafe.Add(ref s, i) - '0');
                }
                else
                {
                    hard = true; // an absurd exponent: let double.Parse weigh it against the digits
                }

                i++;
            }

            if (i == expStart)
            {
                value = 0;
                return false;
            }

            exponent += expNegative ? -e : e;
        }

        if (i != len)
        {
            value = 0;
            return false;
        }

        // More than 19 digits may have overflowed w; count the significant ones (leading zeros do not count).
        if (hard || (digits > 19 && SignificantDigits(text) > 19))
        {
            return Fallback(text, out value);
        }

        if (w == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }

        // Clinger: w and 10^|q| are exact doubles, so one correctly rounded operation gives the correctly rounded result.
        if (exponent is >= -22 and <= 22 && w <= (1UL << 53))
        {
            double d = w;
            d = exponent < 0 ? d / ExactPowers[(int)-exponent] : d * ExactPowers[(int)exponent];
            value = negative ? -d : d;
            return true;
        }

        if (exponent < SmallestPowerOfTen)
        {
            value = negative ? -0.0 : 0.0; // below half the smallest subnormal even for w = 10^19 − 1
            return true;
        }

        if (exponent > LargestPowerOfTen)
        {
            value = 0;
            return false; // ±∞
        }

        long bits = EiselLemire(w, (int)exponent);
        if (bits == -1)
        {
            return Fallback(text, out value);
        }

        if (bits == -2)
        {
            value = 0;
            return false; // rounds to ±∞
        }

        value = BitConverter.Int64BitsToDouble(bits | (negative ? long.MinValue : 0));
        return true;
    }

    private static bool Fallback(ReadOnlySpan<byte> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static int SignificantDigits(ReadOnlySpan<byte> text)
    {
        int count = 0;
        bool started = false;
        foreach (byte b in text)
        {
            if ((b | 0x20) == (byte)'e')
            {
                break;
            }

            if ((uint)(b - '0') <= 9)
            {
                started |= b != (byte)'0';
                count += started ? 1 : 0;
            }
        }

        return count;
    }

    /// <summary>True when all eight bytes are ASCII digits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsEightDigits(ulong v) =>
        ((v & 0xF0F0F0F0F0F0F0F0) | (((v + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) == 0x3333333333333333;

    /// <summary>The value of eight ASCII digits read little-endian (the first character is the most significant).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightDigits(ulong v)
    {
        v -= 0x3030303030303030;
        v = (v * 10) + (v >> 8); // pairs: byte 2k holds the two-digit number of characters 2k, 2k+1
        const ulong Mask = 0x000000FF000000FF;
        const ulong Mul1 = 100 + (1_000_000UL << 32);
        const ulong Mul2 = 1 + (10_000UL << 32);
        return (((v & Mask) * Mul1) + (((v >> 16) & Mask) * Mul2)) >> 32;
    }

    /// <summary>
    /// The binary64 bits (sign clear) of w·10^q correctly rounded, for 1 ≤ w, −342 ≤ q ≤ 308; −1 when the product
    /// cannot decide the rounding, −2 when the result overflows.
    /// </summary>
    private static long EiselLemire(ulong w, int q)
    {
        int lz = BitOperations.LeadingZeroCount(w);
        w <<= lz;
        int index = q - SmallestPowerOfTen;
        var table = PowersOfFive;
        ulong hi = Math.BigMul(w, table[2 * index], out ulong lo);
        const ulong PrecisionMask = 0x1FF; // the 9 bits below the 52 + 3 that matter
        if ((hi & PrecisionMask) == PrecisionMask)
        {
            ulong hi2 = Math.BigMul(w, table[(2 * index) + 1], out _);
            lo += hi2;
            if (lo < hi2)
            {
                hi++;
            }

            if ((hi & PrecisionMask) == PrecisionMask && lo == ulong.MaxValue)
            {
                return -1;
            }
        }

        int upper = (int)(hi >> 63);
        int shift = upper + 64 - 52 - 3;
        ulong mantissa = hi >> shift;
        // floor(q·log2(10)) + 63 with 217706 / 2^16 ≈ log2(10), exact over the table's range; the bias is 1023.
        int power2 = ((217706 * q) >> 16) + 63 + upper - lz + 1023;
        if (power2 <= 0)
        {
            // Subnormal: shift into place, round half up (ties cannot occur at these exponents), maybe becoming normal.
            if (-power2 + 1 >= 64)
            {
                return 0;
            }

            mantissa >>= -power2 + 1;
            mantissa += mantissa & 1;
            mantissa >>= 1;
            power2 = mantissa < (1UL << 52) ? 0 : 1;
            return (long)(mantissa | ((ulong)power2 << 52));
        }

        // An exact tie (only possible for −4 ≤ q ≤ 23) rounds to even instead of up.
        if (lo <= 1 && q is >= -4 and <= 23 && (mantissa & 3) == 1 && (mantissa << shift) == hi)
        {
            mantissa &= ~1UL;
        }

        mantissa += mantissa & 1;
        mantissa >>= 1;
        if (mantissa >= (2UL << 52))
        {
            mantissa = 1UL << 52;
            power2++;
        }

        mantissa &= ~(1UL << 52);
        return power2 >= 0x7FF ? -2 : (long)(mantissa | ((ulong)power2 << 52));
    }

    /// <summary>
    /// 128-bit approximations of 5^q, q = −342…308, most significant bit set, as (high, low) pairs: 5^q truncated for
    /// q ≥ 0; for q &lt; 0, ⌊2^b / 5^−q⌋ + 1 truncated to 128 bits (b = z + 127 for q ≥ −27, else 2z + 128, with
    /// 2^(z−1) &lt; 5^−q &lt; 2^z). The literal table (FastDouble.Powers.cs) is what this computes; a test checks it.
    /// </summary>
    internal static ulong[] ComputePowersOfFive()
    {
        var table = new ulong[2 * (LargestPowerOfTen - SmallestPowerOfTen + 1)];
        var two128 = BigInteger.One << 128;
        for (int q = SmallestPowerOfTen; q <= LargestPowerOfTen; q++)
        {
            BigInteger c;
            if (q >= 0)
            {
                c = BigInteger.Pow(5, q);
                long bits = (long)c.GetBitLength();
                c = bits > 128 ? c >> (int)(bits - 128) : c << (int)(128 - bits);
            }
            else
            {
                var p5 = BigInteger.Pow(5, -q);
                int z = (int)p5.GetBitLength();
                int b = q >= -27 ? z + 127 : (2 * z) + 128;
                c = ((BigInteger.One << b) / p5) + 1;
                while (c >= two128)
                {
                    c >>= 1;
                }
            }

            int k = 2 * (q - SmallestPowerOfTen);
            table[k] = (ulong)(c >> 64);
            table[k + 1] = (ulong)(c & ulong.MaxValue);
        }

        return table;
    }
}
