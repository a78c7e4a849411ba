using System.Numerics;
using Nmsg.Containers;
using Nmsg.Internal;
using Nmsg.Text;

namespace Nmsg.Reactive;

/// <summary>
/// Formats batches of messages as presentation or JSON text on dedicated threads and writes each batch's text to a
/// stream in the order the batches were made. The threads take whole batches (hundreds of messages), so they never
/// wait on the thread pool or on each other's start-up; one writes at a time, in turn.
/// </summary>
internal sealed class ParallelTextWriter
{
    // A batch is sized by the text its messages make, about 224 KB. Every hand-off between threads costs context
    // switches, and on a 2-core VM each costs about 30 us of CPU: 1M dnsqr messages in 110 KB batches made 42,000
    // switches and used 1 s more CPU than in 450 KB batches (11,000), and -J of ipconn in 256-message batches
    // (37 KB) ran 20% slower than in 1,500-message ones. The size starts at FirstBatch messages, then follows the
    // text per message of the last batch formatted.
    private const int TargetBatchBytes = 224 * 1024;
    private const int FirstBatch = 256;
    private const int MinBatch = 16;
    private const int MaxBatch = 2048;
    private readonly Stream _stream;
    private readonly bool _json;
    private readonly NmsgTextOptions _text;
    private readonly Thread[] _threads;
    private readonly int _maxOutstanding;
    private readonly int _resumeAt;
    private readonly object _gate = new(); // guards the fields below
    private readonly Queue<Batch> _queue = new();
    private readonly Stack<Batch> _free = new();
    private readonly Batch?[] _formatted; // formatted batches waiting for their turn, at Sequence % length
    private Batch _current = new();
    private int _batchSize = FirstBatch; // messages per batch; set by the formatting threads, read by Add
    private long _submitted; // batches handed to the threads
    private long _written; // batches written (or skipped after an error): the next one to write
    private bool _writing; // a thread is writing formatted batches in order
    private int _idle; // threads waiting for a batch
    private bool _submitWaiting; // Submit waits for the batches in flight to fall to _resumeAt
    private bool _drainWaiting; // Drain waits for every batch to be written
    private Exception? _error;
    private bool _started;
    private bool _stopping;

    public ParallelTextWriter(Stream stream, bool json, NmsgTextOptions text, int threads)
    {
        _stream = stream;
        _json = json;
        _text = text;
        _threads = new Thread[threads];
        // Two batches in flight per thread (one formatting, one waiting), and a full pipeline wakes Submit only when
        // half of them are written, so that it hands over several batches per wake-up instead of one. Four per
        // thread ran from as fast to 10% faster for dns and dnsqr in interleaved runs, but kept 5-8 MB more alive
        // (peak RSS of 1M dns -o 36 MB instead of 28, dnsqr -J 31-36 instead of 26): messages in flight outlive
        // collections and are promoted.
        _maxOutstanding = 2 * threads;
        _resumeAt = threads;
        _formatted = new Batch?[_maxOutstanding];
    }

    /// <summary>
    /// Collects a message; a full batch is handed to the threads (waiting while too many are queued). A message that
    /// points into a pooled container body comes with its <paramref name="lease"/>, held until the batch is formatted.
    /// </summary>
    public void Add(NmsgMessage message, ContainerLease? lease)
    {
        if (lease is not null && !ReferenceEquals(lease, _current.LastLease))
        {
            lease.Hold();
            _current.Leases.Add(lease);
            _current.LastLease = lease;
        }
        _current.Messages[_current.Count++] = message;
        if (_current.Count >= Volatile.Read(ref _batchSize))
            Submit();
    }

    /// <summary>Hands over the collected messages and waits until every batch is written; throws the first error.</summary>
    public void Drain()
    {
        if (_current.Count > 0)
            Submit();
        lock (_gate)
        {
            _drainWaiting = true;
            while (_written < _submitted)
                Monitor.Wait(_gate);
            _drainWaiting = false;
            if (_error is not null)
                throw _error;
        }
    }

    /// <summary>Stops the threads after the batches already handed over; nothing is written after it returns.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        if (!_started)
            return;
        foreach (Thread thread in _threads)
            thread.Join();
    }

    private void Submit()
    {
        Batch batch = _current;
        lock (_gate)
        {
            if (_error is not null)
                throw _error;
            if (!_started)
                Start();
            if (_submitted - _written >= _maxOutstanding)
            {
                _submitWaiting = true;
                while (_submitted - _written > _resumeAt)
                    Monitor.Wait(_gate);
                _submitWaiting = false;
            }
            batch.Sequence = _submitted++;
            _queue.Enqueue(batch);
            // Wake one idle thread for this batch. (Drain and Submit both run under the sink's lock, so only
            // formatting threads can be waiting here; were Drain waiting too, a single pulse might wake it instead.)
            if (_idle > 0 && !_drainWaiting)
                Monitor.Pulse(_gate);
            else if (_idle > 0)
                Monitor.PulseAll(_gate);
            _current = _free.Count > 0 ? _free.Pop() : new Batch();
        }
    }

    private void Start()
    {
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = "nmsg text" };
            _threads[i].Start();
        }
        _started = true;
    }

    private void Work()
    {
        while (true)
        {
            Batch batch;
            bool skip;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_stopping)
                {
                    _idle++;
                    Monitor.Wait(_gate);
                    _idle--;
                }
                if (_queue.Count == 0)
                    return;
                batch = _queue.Dequeue();
                skip = _error is not null;
            }
            if (!skip)
                Format(batch);
            batch.ReleaseLeases(); // the text is made: the messages' container bodies may be reused
            lock (_gate)
            {
                _formatted[batch.Sequence % _formatted.Length] = batch;
                // A thread already writing takes this batch in its turn; this one goes back to formatting.
                if (_writing)
                    continue;
                _writing = true;
            }
            WriteInTurn();
        }
    }

    // Writes formatted batches while the next in order is ready, so the stream has one writer and the order of the
    // batches is kept; no thread waits for another to finish formatting.
    private void WriteInTurn()
    {
        while (true)
        {
            Batch batch;
            bool skip;
            lock (_gate)
            {
                int slot = (int)(_written % _formatted.Length);
                if (_formatted[slot] is not { } next || next.Sequence != _written)
                {
                    _writing = false;
                    return;
                }
                _formatted[slot] = null;
                batch = next;
                skip = _error is not null;
            }
            Exception? error = skip ? null : batch.Error;
            if (!skip && batch.Complete > 0)
            {
                try
                {
                    _stream.Write(batch.Output.WrittenSpan[..batch.Complete]);
                }
                catch (Exception e)
                {
                    error = e;
                }
            }
            batch.Reset();
            lock (_gate)
            {
                _error ??= error;
                _written++;
                _free.Push(batch);
                if ((_submitWaiting && _submitted - _written <= _resumeAt) || (_drainWaiting && _written == _submitted))
                    Monitor.PulseAll(_gate);
            }
        }
    }

    // The text of the messages before a failing one is kept; the failing message's partial text is not written.
    private void Format(Batch batch)
    {
        try
        {
            for (int i = 0; i < batch.Count; i++)
            {
                TextFormat.Write(_json, batch.Messages[i], batch.Output, _text);
                batch.Complete = batch.Output.WrittenCount;
            }
            int perMessage = Math.Max(1, batch.Complete / Math.Max(1, batch.Count));
            Volatile.Write(ref _batchSize, Math.Clamp(TargetBatchBytes / perMessage, MinBatch, MaxBatch));
        }
        catch (Exception e)
        {
            batch.Error = e;
        }
    }

    private sealed class Batch
    {
        public readonly NmsgMessage[] Messages = new NmsgMessage[MaxBatch];
        // The formatters write straight into it (no per-message copy); it grows to the largest batch's text and stays.
        // A batch ends near the target, and a little past it when its messages run longer than the last batch's.
        public readonly PooledBufferWriter Output = new((int)BitOperations.RoundUpToPowerOf2((uint)(TargetBatchBytes + TargetBatchBytes / 8)));
        public readonly List<ContainerLease> Leases = [];
        public ContainerLease? LastLease;
        public int Count;
        public int Complete;
        public long Sequence;
        public Exception? Error;

        public void ReleaseLeases()
        {
            foreach (ContainerLease lease in Leases)
                lease.Release();
            Leases.Clear();
            LastLease = null;
        }

        public void Reset()
        {
            Array.Clear(Messages, 0, Count);
            Count = 0;
            Output.Clear();
            Complete = 0;
            Error = null;
        }
    }
}
