using System.Buffers.Binary;
using System.IO.Compression;
using Xunit;

namespace GpuEnet.Tests.Report;

/// <summary>Just enough PNG decoding (8-bit RGB/RGBA, non-interlaced) to tell a rendered page from a blank one.</summary>
internal static class PngPixels
{
    public sealed record Summary(int Width, int Height, int DistinctColours, double NonWhiteFraction);

    public static Summary Inspect(byte[] png)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.True(png.AsSpan(0, 8).SequenceEqual(signature), "not a PNG file");
        int width = 0, height = 0, bitDepth = 0, colourType = 0, interlace = 0;
        using var idat = new MemoryStream();
        int pos = 8;
        while (pos + 8 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                bitDepth = data[8];
                colourType = data[9];
                interlace = data[12];
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }

            pos += 12 + length;
        }

        Assert.True(bitDepth == 8 && colourType is 2 or 6 && interlace == 0, $"unsupported PNG: depth {bitDepth}, colour type {colourType}, interlace {interlace}");
        int bpp = colourType == 6 ? 4 : 3;
        int stride = width * bpp;
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new byte[(long)(stride + 1) * height];
        z.ReadExactly(raw);

        var prev = new byte[stride];
        var cur = new byte[stride];
        var colours = new HashSet<int>();
        long nonWhite = 0;
        for (int y = 0; y < height; y++)
        {
            int filter = raw[(long)y * (stride + 1)];
            raw.AsSpan((int)((long)y * (stride + 1)) + 1, stride).CopyTo(cur);
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                cur[i] = (byte)(cur[i] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"bad PNG filter {filter}"),
                });
            }

            for (int x = 0; x < width; x++)
            {
                int o = x * bpp;
                int rgb = (cur[o] << 16) | (cur[o + 1] << 8) | cur[o + 2];
                if (colours.Count < 100_000)
                {
                    colours.Add(rgb);
                }

                if (rgb != 0xFFFFFF)
                {
                    nonWhite++;
                }
            }

            (prev, cur) = (cur, prev);
        }

        return new Summary(width, height, colours.Count, nonWhite / (double)((long)width * height));
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
