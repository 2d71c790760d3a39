using Xunit;
namespace GpuEnet.Tests.Report;

/// <summary>A fact that runs only where headless Chromium is installed; elsewhere it is skipped with the reason.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"{ChromiumPath} is not installed (apt-get install chromium); the rendered-report check needs a browser.";
        }
    }
}
