using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuEstimation.Backends;

/// <summary>
/// What evaluates the likelihood: one ILGPU context and one or several accelerators of one kind with the launch shape
/// used on them, or the native host backend with its thread count. Several accelerators share the data's row blocks
/// in contiguous runs and give the bits of one (docs/design.md, "Several devices"). Engines borrow it; it is disposed last.
/// </summary>
public sealed class ComputeDevice : IDisposable
{

    private readonly Context? _context;
    private readonly Accelerator[] _accelerators = [];

    private ComputeDevice(Context context, Accelerator[] accelerators, Backend backend)
    {
        _context = context;
        _accelerators = accelerators;
        Backend = backend;
        // The first device's shape on every one (devices of one kind share it): the same groups per block, so the same bits.
        var accelerator = accelerators[0];
        GroupSize = LargestPowerOfTwoAtMost(Math.Min(LikelihoodKernels.MaxGroupSize, accelerator.MaxNumThreadsPerGroup));
        // Enough resident groups to fill every multiprocessor (docs/design.md, "Kernel shapes": 528 x 512 on a 132-SM H200).
        int perMultiprocessor = Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / GroupSize);
        MaxGroups = Math.Max(1, accelerator.NumMultiprocessors * perMultiprocessor);
        Threads = accelerator.MaxNumThreads;
    }

    private ComputeDevice(int threads)
    {
        Backend = Backend.Native;
        Threads = threads;
        GroupSize = 1;
        MaxGroups = 1;
    }

    /// <summary>The ILGPU accelerator (not for the native backend, which has none, nor for several devices: see <see cref="Accelerators"/>).</summary>
    public Accelerator Accelerator
    {
        get
        {
            ThrowIfUnusable();
            return _accelerators.Length switch
            {
                0 => throw new InvalidOperationException("the native backend has no ILGPU accelerator"),
                1 => _accelerators[0],
                _ => throw new InvalidOperationException($"{Description} has {_accelerators.Length} accelerators; use Accelerators"),
            };
        }
    }

    /// <summary>The ILGPU accelerators, in the order they hold the rows (none for the native backend).</summary>
    public IReadOnlyList<Accelerator> Accelerators
    {
        get
        {
            ThrowIfUnusable();
            return _accelerators;
        }
    }

    /// <summary>The ILGPU accelerators the CPU backend offers as devices 0, 1, …: instances of its one emulated device, for tests of several devices.</summary>
    public const int CpuAccelerators = 4;

    /// <summary>The backend kind.</summary>
    public Backend Backend { get; }

    /// <summary>Worker threads of the native backend (for an accelerator, its thread capacity).</summary>
    public int Threads { get; }

    /// <summary>Threads per group of the reduction kernels (a power of two).</summary>
    public int GroupSize { get; }

    /// <summary>The most groups a reduction launch uses.</summary>
    public int MaxGroups { get; }

    /// <summary>
    /// Bytes of the accelerator's memory an engine's data may take (null: the accelerator's memory less a tenth, at
    /// least 1 GiB, for the engine's other buffers). Data larger than that is kept on the device in part and streamed
    /// through it in row blocks, with bit-identical results (docs/design.md, "Row blocks and streaming"). The native
    /// backend, which reads host memory, ignores it.
    /// </summary>
    public long? MemoryLimit { get; private set; }

    /// <summary>
    /// What ran, for every result: backend and device name (this rank's), and the MPI ranks where more than one.
    /// </summary>
    public string Description => (_accelerators.Length == 0
        ? $"native: {NativeName(Threads)}"
        : $"{Backend.ToString().ToLowerInvariant()}: " + (_accelerators.Length == 1 ? _accelerators[0].Name
            : _accelerators.All(a => a.Name == _accelerators[0].Name) ? $"{_accelerators.Length} × {_accelerators[0].Name}"
            : string.Join(", ", _accelerators.Select(a => a.Name)))) + RowCollective.Current.Description;

    /// <summary><see cref="Description"/>, and where a job's data did not fit, how much of it was streamed.</summary>
    public string DescriptionOf((int Streamed, int Count) rowBlocks) => rowBlocks.Streamed > 0
        ? $"{Description} (data streamed: {rowBlocks.Streamed} of {rowBlocks.Count} row blocks)"
        : Description;

    /// <summary>
    /// Opens the requested backend. <see cref="Backend.Auto"/> picks CUDA, then an OpenCL device that is not the CPU,
    /// then the native backend; a
    /// named backend that is absent or unusable is an error, never a silent fallback. <paramref name="threads"/> sets
    /// the native backend's worker threads (default: one per core); its results do not depend on it.
    /// </summary>
    public static ComputeDevice Open(Backend requested = Backend.Auto, int? threads = null) => Open(requested, threads, rows: null);

    /// <summary>
    /// As <see cref="Open(Backend, int?)"/>, for data of <paramref name="rows"/> rows: <see cref="Backend.Auto"/> opens
    /// the native backend for fewer than <see cref="AutoNativeRows"/> rows without looking for an accelerator (finding
    /// one and compiling its kernels takes longer than the native backend takes over such data).
    /// </summary>
    public static ComputeDevice Open(Backend requested, int? threads, long? rows) => Open(requested, threads, rows, memoryLimit: null);

    /// <summary>
    /// As <see cref="Open(Backend, int?, long?)"/>, with at most <paramref name="memoryLimit"/> bytes of the
    /// accelerator's memory for the data (<see cref="MemoryLimit"/>); null: the accelerator's memory less a margin.
    /// </summary>
    public static ComputeDevice Open(Backend requested, int? threads, long? rows, long? memoryLimit) =>
        Open(requested, DeviceSelection.First, threads, rows, memoryLimit);

    /// <summary>
    /// As <see cref="Open(Backend, int?, long?, long?)"/>, on the devices <paramref name="selection"/> names among
    /// <paramref name="requested"/>'s (a named backend only: not auto, not native); <paramref name="memoryLimit"/>
    /// applies to each. A missing or unusable device is an error.
    /// </summary>
    public static ComputeDevice Open(Backend requested, DeviceSelection selection, int? threads, long? rows, long? memoryLimit)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (threads is { } count)
            ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(threads));
        if (memoryLimit is { } limit)
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1, nameof(memoryLimit));
        if (rows is { } given)
            ArgumentOutOfRangeException.ThrowIfNegative(given, nameof(rows));
        if (selection != DeviceSelection.First && requested is Backend.Auto or Backend.Native)
            throw new InputException($"device {requested.ToString().ToLowerInvariant()}: a list of devices needs a named accelerator backend (cuda, opencl or cpu)", nameof(selection));
        var device = selection == DeviceSelection.First
            ? OpenDevice(requested, threads ?? Environment.ProcessorCount, rows)
            : OpenDevices(requested, selection);
        device.MemoryLimit = memoryLimit;
        return device;
    }

    /// <summary>
    /// The kind of device, as the ranks of an MPI job must share it (<see cref="RowCollective.CheckSameDevice"/>): the
    /// native backend and each accelerator backend cut and exchange their sums differently.
    /// </summary>
    public string Kind => Backend.ToString().ToLowerInvariant();

    private static ComputeDevice OpenDevices(Backend requested, DeviceSelection selection)
    {
        var name = requested.ToString().ToLowerInvariant();
        var context = CreateContext();
        var accelerators = new List<Accelerator>();
        try
        {
            var ofKind = Describe(context).Where(c => c.Info.Backend == requested).ToList();
            if (requested == Backend.Cpu && ofKind.Count > 0)
                ofKind = [.. Enumerable.Repeat(ofKind[0], CpuAccelerators)];
            if (ofKind.Count == 0)
                throw new InputException($"device {name}: no such device on this machine", nameof(requested));
            // All: the usable ones (an OpenCL platform may list devices this engine cannot use); a list: those named; a
            // local rank: the usable one it names, modulo their number.
            var indices = selection.Indices ?? Enumerable.Range(0, ofKind.Count).Where(i => ofKind[i].Info.Usable).ToList();
            if (indices.Count == 0)
                throw new InputException($"device {name}: no usable device ({string.Join("; ", ofKind.Select(c => c.Info.ToString()))})", nameof(selection));
            if (selection.LocalRank is { } localRank)
                indices = [indices[localRank % indices.Count]];
            foreach (int index in indices)
            {
                if (index >= ofKind.Count)
                    throw new InputException($"device {name}: no device {index} (this machine has {ofKind.Count}: 0-{ofKind.Count - 1})", nameof(selection));
                if (!ofKind[index].Info.Usable)
                    throw new InputException($"device {name}: device {index} is not usable ({ofKind[index].Info})", nameof(selection));
            }
            foreach (int index in indices)
                accelerators.Add(ofKind[index].Device.CreateAccelerator(context));
            return new ComputeDevice(context, [.. accelerators], requested);
        }
        catch
        {
            foreach (var accelerator in accelerators)
                accelerator.Dispose();
            context.Dispose();
            throw;
        }
    }

    private static ComputeDevice OpenDevice(Backend requested, int nativeThreads, long? rows)
    {
        // Compiled ahead of time (native AOT), no code can be generated at run time, which ILGPU needs: auto is the
        // native backend, and an accelerator is refused by CreateContext (the CLI hands such commands to its JIT build first).
        bool aot = !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported;
        if (requested == Backend.Native || (requested == Backend.Auto && (rows < AutoNativeRows || aot)))
            return new ComputeDevice(nativeThreads);

        var context = CreateContext();
        try
        {
            var candidates = Describe(context).ToList();
            var order = requested == Backend.Auto ? new[] { Backend.Cuda, Backend.OpenCL } : new[] { requested };
            foreach (var backend in order)
            {
                // Auto takes no OpenCL device of the CPU (PoCL): the native backend runs the same models on the same cores
                // several times faster (a trial, 10⁶ rows: a logistic fit 1.8 s against 0.35 s, a logit 7.2 s against 0.7 s).
                var match = candidates.FirstOrDefault(c => c.Info.Backend == backend && c.Info.Usable
                    && !(requested == Backend.Auto && OnTheCpu(c.Device)));
                if (match.Device is not null)
                    return new ComputeDevice(context, [match.Device.CreateAccelerator(context)], backend);
            }
            if (requested == Backend.Auto)
            {
                context.Dispose();
                return new ComputeDevice(nativeThreads);
            }
            var name = requested.ToString().ToLowerInvariant();
            var unusable = candidates.Where(c => c.Info.Backend == requested && !c.Info.Usable).Select(c => c.Info.ToString()).ToList();
            throw new InputException(unusable.Count > 0
                ? $"device {name}: no usable device ({string.Join("; ", unusable)})"
                : $"device {name}: no such device on this machine", nameof(requested));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Below this many rows <see cref="Backend.Auto"/> is the native backend: a first CUDA fit spends ~0.1-0.3 s finding
    /// the device and compiling kernels, while the native backend evaluates 10⁵ rows of a family in well under 1 ms.
    /// </summary>
    public const long AutoNativeRows = 100_000;

    /// <summary>Every accelerator ILGPU finds, usable or not, with the reason where not, and the native backend.</summary>
    public static IReadOnlyList<DeviceInfo> List()
    {
        using var context = CreateContext();
        return Describe(context).Select(c => c.Info)
            .Append(new DeviceInfo(Backend.Native, NativeName(Environment.ProcessorCount), true, null))
            .ToList();
    }

    /// <summary>
    /// Frees the accelerators and their ILGPU context; a session or fitter on the device refuses to run after it. Called
    /// while calls run on the device (a fit on another thread), it returns at once: new calls are refused from then on,
    /// and the device is freed when the last running call returns (freeing it under a running kernel ended the process
    /// on ILGPU's CPU accelerator).
    /// </summary>
    public void Dispose()
    {
        lock (_holds)
        {
            if (IsDisposed)
                return;
            IsDisposed = true;
            if (_held == 0)
                Free();
        }
    }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Holds the device for one call (a session's, a fitter's) until the returned hold is disposed, on the same thread:
    /// a <see cref="Dispose"/> meanwhile frees the device only when the last hold ends. An
    /// <see cref="ObjectDisposedException"/> where the device is disposed already, unless this thread holds it (a call
    /// made within a held call: a mixture fit's sessions, a review found them refused after a Dispose on another thread,
    /// the fit's work thrown away).
    /// </summary>
    internal Hold Use()
    {
        lock (_holds)
        {
            ThrowIfUnusable();
            _held++;
            _mine.Value++;
        }
        return new Hold(this);
    }

    /// <summary>A call's hold on its device (<see cref="Use"/>).</summary>
    internal readonly struct Hold(ComputeDevice device) : IDisposable
    {
        public void Dispose() => device.Release();
    }

    private void Release()
    {
        lock (_holds)
        {
            _mine.Value--;
            if (--_held == 0 && IsDisposed)
                Free();
        }
    }

    // This thread's holds (calls within calls).
    private readonly ThreadLocal<int> _mine = new(() => 0);

    // Disposed and not held by this thread (a call within a held call still runs), or freed: an ObjectDisposedException.
    private void ThrowIfUnusable() => ObjectDisposedException.ThrowIf(_freed || (IsDisposed && _mine.Value == 0), this);

    private bool _freed;

    private void Free()
    {
        _freed = true;
        foreach (var accelerator in _accelerators)
            accelerator.Dispose();
        _context?.Dispose();
    }

    private readonly Lock _holds = new();
    private int _held;

    /// <summary>An <see cref="ObjectDisposedException"/> naming the device where it has been disposed: on ILGPU's CPU
    /// accelerator a kernel on a disposed device ends the process with a failed assertion, not an exception.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    private static string NativeName(int threads) => $"{threads} thread{(threads == 1 ? "" : "s")} on {Environment.ProcessorCount} core{(Environment.ProcessorCount == 1 ? "" : "s")}";

    /// <summary>
    /// CUDA devices, every OpenCL device (compatible or not, so that the unusable ones can be listed with the reason),
    /// and a small CPU accelerator: 2 multiprocessors of 2 warps of 2 threads. The CPU accelerator emulates every
    /// thread with an OS thread and every barrier with a handshake, so on a few cores a launch costs ~0.5 ms with these
    /// 8 threads against ~2 ms with ILGPU's default 16 per group; the shape still has several groups, and warps
    /// within a group, for the tests to exercise.
    /// </summary>
    private static Context CreateContext()
    {
        // ILGPU generates code at run time; compiled ahead of time (native AOT) it cannot, and the check lets the AOT
        // compiler leave ILGPU's compiler out of that build.
        if (!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported)
            throw new InputException("ILGPU's devices generate code at run time, which this process (compiled ahead of time: native AOT) cannot; open them in a process with a JIT (the native backend runs here)");
        return Context.Create(builder => builder.Cuda().OpenCL(_ => true).CPU(new CPUDevice(2, 2, 2)).Math(MathMode.Default));
    }

    private static IEnumerable<(Device Device, DeviceInfo Info)> Describe(Context context)
    {
        foreach (var device in context.Devices)
        {
            var backend = device.AcceleratorType switch
            {
                AcceleratorType.Cuda => Backend.Cuda,
                AcceleratorType.OpenCL => Backend.OpenCL,
                _ => Backend.Cpu,
            };
            // ILGPU 1.5.3 emits OpenCL C that needs the generic address space (docs/design.md, "OpenCL"); a device without it
            // fails only when the first kernel compiles, so say so up front.
            string? reason = device is CLDevice cl && !cl.Capabilities.GenericAddressSpace
                ? "lacks the OpenCL generic address space that ILGPU's OpenCL backend needs"
                : device is CLDevice cl64 && !cl64.Capabilities.Float64 ? "no double-precision support" : null;
            yield return (device, new DeviceInfo(backend, device.Name, reason is null, reason));
        }
    }

    /// <summary>Whether <paramref name="device"/> is an OpenCL device of the CPU type (such as PoCL's).</summary>
    private static bool OnTheCpu(Device device) => device is CLDevice cl && cl.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_CPU);

    private static int LargestPowerOfTwoAtMost(int value)
    {
        int result = 1;
        while (result * 2 <= value)
            result *= 2;
        return result;
    }
}
