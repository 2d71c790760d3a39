using System.Globalization;
using System.Text;
using GpuEnet.Host.Data;
using Xunit;

namespace GpuEnet.Tests.Data;

/// <summary>
/// <see cref="FastDouble"/> against <c>double.Parse</c> (invariant culture, <see cref="NumberStyles.Float"/>), bit for
/// bit: a million random strings in every shape the grammar allows, and the classic hard cases.
/// </summary>
public sealed class FastDoubleTests
{
    private static double Reference(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Checks one string: accepted exactly when its reference value is finite (it is in the grammar), and then equal bit for bit.</summary>
    private static void Check(string s, bool inGrammar = true)
    {
        bool ok = FastDouble.TryParse(Encoding.ASCII.GetBytes(s), out double v);
        if (!inGrammar)
        {
            Assert.False(ok, $"'{s}' is outside the fast grammar but was accepted as {v:R}");
            return;
        }

        double r = Reference(s);
        if (!double.IsFinite(r))
        {
            Assert.False(ok, $"'{s}' overflows (double.Parse gives {r}) but was accepted as {v:R}");
            return;
        }

        Assert.True(ok, $"'{s}' (= {r:R}) was refused");
        Assert.True(BitConverter.DoubleToInt64Bits(v) == BitConverter.DoubleToInt64Bits(r), $"'{s}': got {v:R} (0x{BitConverter.DoubleToInt64Bits(v):X16}), double.Parse gives {r:R} (0x{BitConverter.DoubleToInt64Bits(r):X16})");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("+0.000")]
    [InlineData("-0e-999")]
    [InlineData("0e99999999999")]
    [InlineData("1")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData("5.")]
    [InlineData("-.5")]
    [InlineData(".5e1")]
    [InlineData("000000000000000000000000000001.2500")]
    [InlineData("1E5")]
    [InlineData("1e+05")]
    [InlineData("1e-05")]
    [InlineData("0.1")]
    [InlineData("0.30000000000000004")]
    [InlineData("3.141592653589793")]
    [InlineData("-0.12345678901234567")]
    [InlineData("1.7976931348623157e308")] // largest double
    [InlineData("1.7976931348623158e308")] // rounds down to it
    [InlineData("1.7976931348623159e308")] // rounds up to ∞
    [InlineData("179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999")]
    [InlineData("1e308")]
    [InlineData("1e309")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("2.2250738585072014e-308")] // smallest normal
    [InlineData("2.2250738585072011e-308")] // the value that hung Java and PHP
    [InlineData("2.2250738585072012e-308")]
    [InlineData("2.225073858507201136057409796709131975934819546351645648e-308")]
    [InlineData("4.9406564584124654e-324")] // smallest subnormal
    [InlineData("5e-324")]
    [InlineData("2.4703282292062327e-324")] // just below half of it: 0
    [InlineData("2.4703282292062328e-324")] // just above: the smallest subnormal
    [InlineData("2.47032822920623272088284396434110686182529901307162382212792841250337753635104375932649918180817996189898282347722858865463328355177969898199387398005390939063150356595155702263922908583924491051844359318028499365361525003193704576782492193656236698636584807570015857692699037063119282795585513329278343384093519780155312465972635795746227664652728272200563740064854999770965994704540208281662262378573934507363390079677619305775067401763246736009689513405355374585166611342237666786041621596804619144672918403005300575308490487653917113865916462395249126236538818796362393732804238910186723484976682350898633885879256283027559956575244555072551893136908362547791869486679949683240497058210285131854513962138377228261454376934125320985913276672363281255e-324")] // halfway, rounded up by the last digit
    [InlineData("1e-320")]
    [InlineData("1e-400")]
    [InlineData("-1e-400")]
    [InlineData("9007199254740992")] // 2^53
    [InlineData("9007199254740993")] // 2^53 + 1: a tie, to even
    [InlineData("9007199254740995")] // tie, to even (up)
    [InlineData("9007199254740993.0000000000000000001")] // just above the tie
    [InlineData("1.00000000000000011102230246251565404236316680908203125")] // exactly halfway between 1 and its successor
    [InlineData("1.00000000000000011102230246251565404236316680908203124")]
    [InlineData("1.00000000000000011102230246251565404236316680908203126")]
    [InlineData("9999999999999999999")] // 19 nines: largest fast mantissa
    [InlineData("99999999999999999999")] // 20 digits: exact fallback
    [InlineData("18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("123456789012345678901234567890e-10")]
    [InlineData("0.0000000000000000000000000000001234567890123456789")]
    [InlineData("7.2057594037927933e16")]
    [InlineData("8.98846567431158e307")]
    [InlineData("1e23")] // not exact in binary; Clinger's range ends at 1e22
    [InlineData("1e22")]
    [InlineData("3e-22")]
    [InlineData("4.35679e-10")]
    [InlineData("1e-0000000000000000000000000000000000000005")]
    [InlineData("0.00000000000000000000000000000000000000000000000000000000000001e60")]
    public void EdgeCases(string s) => Check(s);

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData(".")]
    [InlineData("-.")]
    [InlineData("e5")]
    [InlineData(".e5")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("1e-")]
    [InlineData("1.2.3")]
    [InlineData("--1")]
    [InlineData("+-1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1,5")]
    [InlineData("0x10")]
    [InlineData("1_000")]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("NA")]
    [InlineData("N/A")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("inf")]
    [InlineData("1d")]
    [InlineData("1f")]
    [InlineData("١")] // Arabic-Indic digit one
    public void RefusesWhatIsNotAPlainNumber(string s) => Check(s, inGrammar: false);

    [Fact]
    public void AMillionRandomStringsEqualDoubleParse()
    {
        var rng = new Random(20261123);
        var sb = new StringBuilder();
        int accepted = 0;
        for (int t = 0; t < 1_000_000; t++)
        {
            string s;
            switch (t % 4)
            {
                case 0:
                    {
                        // Any finite double, written in one of the ways programs write them.
                        double d;
                        do
                        {
                            d = BitConverter.Int64BitsToDouble(rng.NextInt64() ^ ((long)rng.Next() << 32));
                        }
                        while (!double.IsFinite(d));

                        s = (t / 4 % 5) switch
                        {
                            0 => d.ToString("R", CultureInfo.InvariantCulture),
                            1 => d.ToString("E16", CultureInfo.InvariantCulture),
                            2 => d.ToString("G17", CultureInfo.InvariantCulture),
                            3 => d.ToString("E" + rng.Next(0, 25).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                            _ => d.ToString("G" + rng.Next(1, 17).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                        };
                        break;
                    }

                case 1:
                    {
                        // Data-like values: N(0, s²) at %.17g and at shorter precisions, fixed notation.
                        double d = Normal(rng) * Math.Pow(10, rng.Next(-8, 9));
                        s = (t / 4 % 3) switch
                        {
                            0 => d.ToString("G17", CultureInfo.InvariantCulture),
                            1 => d.ToString("F" + rng.Next(0, 20).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                            _ => d.ToString("G" + rng.Next(1, 10).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                        };
                        break;
                    }

                default:
                    {
                        // Random digit strings: 1–24 digits (some leading zeros), a point anywhere, exponents past both ends.
                        sb.Clear();
                        int r = rng.Next(10);
                        if (r < 3)
                        {
                            sb.Append(r == 0 ? '+' : '-');
                        }

                        int digits = rng.Next(1, 25);
                        int zeros = rng.Next(4) == 0 ? rng.Next(1, 6) : 0;
                        int point = rng.Next(-1, digits + zeros + 1);
                        for (int k = 0; k < digits + zeros; k++)
                        {
                            if (k == point)
                            {
                                sb.Append('.');
                            }

                            sb.Append(k < zeros ? '0' : (char)('0' + rng.Next(10)));
                        }

                        if (point == digits + zeros && digits + zeros > 0)
                        {
                            sb.Append('.');
                        }

                        if (rng.Next(3) > 0)
                        {
                            sb.Append(rng.Next(2) == 0 ? 'e' : 'E');
                            int e = rng.Next(-360, 330);
                            sb.Append(e < 0 ? "-" : rng.Next(2) == 0 ? "+" : "").Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
                        }

                        s = sb.ToString();
                        break;
                    }
            }

            bool ok = FastDouble.TryParse(Encoding.ASCII.GetBytes(s), out double v);
            double reference = Reference(s);
            if (double.IsFinite(reference))
            {
                Assert.True(ok, $"'{s}' (= {reference:R}) was refused");
                if (BitConverter.DoubleToInt64Bits(v) != BitConverter.DoubleToInt64Bits(reference))
                {
                    Assert.Fail($"'{s}': got {v:R}, double.Parse gives {reference:R}");
                }

                accepted++;
            }
            else
            {
                Assert.False(ok, $"'{s}' overflows but was accepted as {v:R}");
            }
        }

        Assert.True(accepted > 950_000, $"only {accepted} of the million strings were finite");
    }

    [Fact]
    public void HalfwayPointsBetweenNeighbouringDoublesRoundToEven()
    {
        // (2m + 1)·2^(e−1), written out exactly: the ties between m·2^e and its successor, which only correct rounding
        // (to even) gets right, and strings just below and above them.
        var rng = new Random(7);
        int ties = 0;
        for (int t = 0; t < 20_000; t++)
        {
            double d = Math.Abs(Normal(rng)) * Math.Pow(2, rng.Next(-1080, 1020));
            if (!double.IsFinite(d) || d == 0 || !double.IsFinite(Math.BitIncrement(d)))
            {
                continue;
            }

            long bits = BitConverter.DoubleToInt64Bits(d);
            int biased = (int)(bits >> 52);
            long m = bits & ((1L << 52) - 1);
            int e = biased == 0 ? -1074 : biased - 1075;
            m = biased == 0 ? m : m | (1L << 52);
            var twice = (2 * (System.Numerics.BigInteger)m) + 1; // the tie is twice·2^(e−1)
            string exact;
            if (e - 1 >= 0)
            {
                exact = (twice << (e - 1)).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                int k = 1 - e;
                string digits = (twice * System.Numerics.BigInteger.Pow(5, k)).ToString(CultureInfo.InvariantCulture).PadLeft(k + 1, '0');
                exact = digits[..^k] + "." + digits[^k..];
            }

            Check(exact);
            Check(exact + "1");
            Check(exact.Contains('.', StringComparison.Ordinal) ? exact[..^1] : exact + ".0"); // (…5 → …: just below the tie)
            Check(d.ToString("E30", CultureInfo.InvariantCulture));
            ties++;
        }

        Assert.True(ties > 19_000);
    }

    [Fact]
    public void TheLiteralPowerTableIsTheComputedOne()
    {
        var computed = FastDouble.ComputePowersOfFive();
        Assert.Equal(2 * 651, computed.Length);
        Assert.Equal(computed, FastDouble.PowersOfFiveTable.ToArray());
        Assert.Equal(0x8000000000000000UL, computed[2 * 342]); // 5^0 = 1, normalised
        Assert.Equal(0xA000000000000000UL, computed[2 * (1 + 342)]); // 5^1 = binary 101
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
