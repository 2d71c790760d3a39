namespace GpuEnet.Host.Output;

/// <summary>
/// Where a process's resident memory is, for <c>GPUENET_PROFILE=1</c>: the kernel's split of the resident set (anonymous
/// pages: the GC heap and native allocations; file pages: memory-mapped data such as a .bed; shared memory: MPI's
/// shared-memory transport) next to what the GC holds. Printed by every rank under mpirun, so a rank's excess over the
/// single process can be attributed.
/// </summary>
internal static class MemoryProfile
{
    /// <summary>One line: peak and current resident set with its split, the GC heap and all the process allocated, in MB.</summary>
    public static string Line(string who)
    {
        var status = ReadStatus();
        long heap = GC.GetTotalMemory(false) >> 20;
        int collections = GC.CollectionCount(2);
        // After the figures above: what of the heap is still reachable (the rest is garbage not yet collected).
        long live = GC.GetTotalMemory(forceFullCollection: true) >> 20;
        return $"profile: memory of {who}: peak RSS {Mb(status, "VmHWM")} MB; now RSS {Mb(status, "VmRSS")} MB = anonymous {Mb(status, "RssAnon")} + file {Mb(status, "RssFile")} + shared {Mb(status, "RssShmem")}; GC heap {heap} MB ({live} MB reachable), {GC.GetTotalAllocatedBytes() >> 20} MB allocated in all, {collections} full collections";
    }

    private static Dictionary<string, long> ReadStatus()
    {
        var values = new Dictionary<string, long>();
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                int colon = line.IndexOf(':');
                string[] parts = line[(colon + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (colon > 0 && parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], out long kb))
                {
                    values[line[..colon]] = kb;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux: the GC figures alone.
        }

        return values;
    }

    private static string Mb(Dictionary<string, long> status, string key) => status.TryGetValue(key, out long kb) ? (kb >> 10).ToString() : "?";
}
