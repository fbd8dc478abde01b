using System.Diagnostics;
using GpuEstimation.Backends;
using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// Evaluates one model's total log-likelihood and gradient over one dataset on one device. The data is uploaded
/// and the kernel loaded once, here; every <see cref="Evaluate"/> is then one launch and one small read-back.
/// </summary>
public sealed class LikelihoodEngine<TModel> : IDisposable where TModel : unmanaged, ILikelihoodModel<TModel>
{
    private readonly IEvaluator _evaluator;

    /// <param name="device">The device; borrowed, not disposed here.</param>
    /// <param name="model">The model, with its fixed configuration.</param>
    /// <param name="columns">The model's data columns, in the order it reads them, all of one length.</param>
    public LikelihoodEngine(ComputeDevice device, TModel model, IReadOnlyList<double[]> columns)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count != model.ColumnCount)
            throw new ArgumentException($"the model reads {model.ColumnCount} columns, {columns.Count} were given", nameof(columns));
        if (columns.Any(c => c.Length != columns[0].Length))
            throw new ArgumentException("all columns must have the same length", nameof(columns));

        Device = device;
        Model = model;
        Rows = columns.Count == 0 ? 0 : columns[0].Length;
        int terms = model.ParameterCount + 1;
        _evaluator = terms switch
        {
            <= 4 => new Evaluator<Vec4>(this, columns),
            <= 8 => new Evaluator<Twice<Vec4>>(this, columns),
            <= 16 => new Evaluator<Twice<Twice<Vec4>>>(this, columns),
            <= 32 => new Evaluator<Twice<Twice<Twice<Vec4>>>>(this, columns),
            <= 64 => new Evaluator<Twice<Twice<Twice<Twice<Vec4>>>>>(this, columns),
            _ => throw new ArgumentException($"at most 63 parameters are supported, the model has {model.ParameterCount}", nameof(model)),
        };
    }

    /// <summary>The device that runs the kernel.</summary>
    public ComputeDevice Device { get; }

    /// <summary>The model.</summary>
    public TModel Model { get; }

    /// <summary>The number of observations.</summary>
    public int Rows { get; }

    /// <summary>The number of parameters.</summary>
    public int ParameterCount => Model.ParameterCount;

    /// <summary>
    /// The total log-likelihood at <paramref name="parameters"/> (natural scale); its gradient is written to
    /// <paramref name="gradient"/>. Both come from one pass over the data.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        if (gradient.Length != ParameterCount)
            throw new ArgumentException($"expected room for {ParameterCount} gradient values, got {gradient.Length}", nameof(gradient));
        return _evaluator.Evaluate(parameters, gradient);
    }

    public void Dispose() => _evaluator.Dispose();

    private interface IEvaluator : IDisposable
    {
        double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);
    }

    private sealed class Evaluator<TVec> : IEvaluator where TVec : unmanaged, ITermVector<TVec>
    {
        private readonly LikelihoodEngine<TModel> _owner;
        private readonly MemoryBuffer1D<double, Stride1D.Dense> _data;
        private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
        private readonly double[] _hostPartials;
        private readonly double[] _arguments = new double[TVec.Capacity];
        private readonly int _terms;
        private readonly KernelConfig _config;
        private readonly Action<KernelConfig, ArrayView<double>, long, TModel, TVec, int, ArrayView<double>> _kernel;

        public Evaluator(LikelihoodEngine<TModel> owner, IReadOnlyList<double[]> columns)
        {
            _owner = owner;
            var device = owner.Device;
            var accelerator = device.Accelerator;
            long rows = owner.Rows;
            _terms = owner.ParameterCount + 1;
            long groupsNeeded = (rows + device.GroupSize - 1) / device.GroupSize;
            int groups = (int)Math.Clamp(groupsNeeded, 1, device.MaxGroups);
            _config = new KernelConfig(groups, device.GroupSize, SharedMemoryConfig.RequestDynamic<double>(device.GroupSize));

            _kernel = accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, TVec, int, ArrayView<double>>(
                LikelihoodKernels.ValueAndGradientKernel<TModel, TVec>);

            _data = accelerator.Allocate1D<double>(Math.Max(1, rows * columns.Count));
            for (int c = 0; c < columns.Count; c++)
            {
                if (rows > 0)
                    _data.View.SubView(c * rows, rows).CopyFromCPU(columns[c]);
            }
            _hostPartials = new double[groups * _terms];
            _partials = accelerator.Allocate1D<double>(_hostPartials.Length);
        }

        public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
        {
            Array.Clear(_arguments);
            TModel.Prepare(_owner.Model, parameters, _arguments);
            var arguments = default(TVec);
            for (int k = 0; k < _arguments.Length; k++)
                arguments.Set(k, _arguments[k]);

            _kernel(_config, _data.View, _owner.Rows, _owner.Model, arguments, _terms, _partials.View);
            _partials.View.CopyToCPU(_hostPartials);

            // Fixed order: group 0, 1, 2, ... so the result does not depend on scheduling.
            double value = 0;
            gradient.Clear();
            for (int offset = 0; offset < _hostPartials.Length; offset += _terms)
            {
                value += _hostPartials[offset];
                for (int k = 1; k < _terms; k++)
                    gradient[k - 1] += _hostPartials[offset + k];
            }
            Debug.Assert(gradient.Length == _terms - 1);
            TModel.Finish(_owner.Model, parameters, gradient);
            return value;
        }

        public void Dispose()
        {
            _partials.Dispose();
            _data.Dispose();
        }
    }
}
