using GpuEnet.Kernels;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>
/// <c>--device</c> and <c>GPUENET_DEVICE</c>: each name gives its backend, a GPU asked for where none exists is refused with
/// the reason, <c>auto</c> falls back to the SIMD backend and says why, and a bad name is named with where it came from.
/// In the Console collection: the environment variable is process-wide, and only the CLI tests read it.
/// </summary>
[Collection("Console")]
public sealed class DeviceSelectionTests
{
    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData(" CPU ", "cpu")]
    [InlineData("ilgpu-cpu", "ilgpu-cpu")]
    public void EachNameGivesItsBackend(string name, string device)
    {
        using var backend = Backends.Create(name, 2, out string? notice);
        Assert.Equal(device, backend.Device);
        Assert.Null(notice);
    }

    [Fact]
    public void AutoFallsBackToTheSimdBackendAndSaysWhyWithoutAGpu()
    {
        Assert.Null(Environment.GetEnvironmentVariable(Backends.EnvironmentVariable));
        using var backend = Backends.Create("auto", 2, out string? notice);
        if (backend.Device.StartsWith("cuda", StringComparison.Ordinal))
        {
            Assert.Null(notice);
            return;
        }

        Assert.Equal("cpu", backend.Device);
        Assert.Contains("No usable NVIDIA GPU", notice, StringComparison.Ordinal);
        var refused = Assert.Throws<ArgumentException>(() => Backends.Create("cuda", 2, out _));
        Assert.StartsWith("--device cuda was asked for but no GPU can be used: ", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus", "'bogus'")]
    [InlineData("", "an empty value")]
    public void TheEnvironmentVariableOverridesAutoAndABadValueIsNamed(string value, string shown)
    {
        Environment.SetEnvironmentVariable(Backends.EnvironmentVariable, value.Length == 0 ? " " : value);
        try
        {
            var e = Assert.Throws<ArgumentException>(() => Backends.Create("auto", 2, out _));
            Assert.Equal($"GPUENET_DEVICE has {shown}: use one of auto, cpu, cuda, ilgpu-cpu.", e.Message);
            Environment.SetEnvironmentVariable(Backends.EnvironmentVariable, "ilgpu-cpu");
            using var forced = Backends.Create(null, 2, out _);
            Assert.Equal("ilgpu-cpu", forced.Device);
            // An explicit --device wins over the variable.
            using var chosen = Backends.Create("cpu", 2, out _);
            Assert.Equal("cpu", chosen.Device);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Backends.EnvironmentVariable, null);
        }
    }

    [Fact]
    public void AnUnknownDeviceOptionIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => Backends.Create("tpu", 2, out _));
        Assert.Equal("--device has 'tpu': use one of auto, cpu, cuda, ilgpu-cpu.", e.Message);
    }
}
