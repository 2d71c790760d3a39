using System.Reflection;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace GpuEnet.Tests.Kernels;

/// <summary>
/// A fact of the kernel conformance suite. It runs once per concrete test class; when that class has a public static
/// <c>UnavailableReason</c> property returning non-null (no GPU, say), the test is reported as skipped with that reason
/// (xunit 2 decides skips at discovery, hence the discoverer rather than a runtime skip). With
/// <see cref="NeedsMissingValues"/>, the test is also skipped for a class whose <see cref="KernelContractTests.SupportsMissing"/>
/// is false.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("GpuEnet.Tests.Kernels.BackendFactDiscoverer", "GpuEnet.Tests")]
public sealed class BackendFactAttribute : FactAttribute
{
    /// <summary>The test binds a design with missing cells.</summary>
    public bool NeedsMissingValues { get; set; }
}

/// <summary>Creates a normal or a skipped test case per concrete class; see <see cref="BackendFactAttribute"/>.</summary>
public sealed class BackendFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private static readonly HashSet<string> s_reported = [];

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        Type type = testMethod.TestClass.Class.ToRuntimeType();
        string? reason = (string?)type.GetProperty("UnavailableReason", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
        TestMethodDisplay display = discoveryOptions.MethodDisplayOrDefault();
        TestMethodDisplayOptions options = discoveryOptions.MethodDisplayOptionsOrDefault();
        if (reason is null && factAttribute.GetNamedArgument<bool>(nameof(BackendFactAttribute.NeedsMissingValues))
            && Activator.CreateInstance(type) is KernelContractTests { SupportsMissing: false })
        {
            return [new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, options, testMethod,
                $"{type.Name}: the backend does not support missing cells (SupportsMissing is false)")];
        }

        if (reason is null)
        {
            return [new XunitTestCase(diagnosticMessageSink, display, options, testMethod)];
        }

        lock (s_reported)
        {
            if (s_reported.Add(type.FullName!))
            {
                string line = $"{type.Name}: skipped, {reason}";
                Console.WriteLine(line);
                diagnosticMessageSink.OnMessage(new DiagnosticMessage(line));
            }
        }

        return [new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, options, testMethod, reason)];
    }
}
