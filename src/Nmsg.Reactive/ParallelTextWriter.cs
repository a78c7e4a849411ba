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
    // 256 messages: a few hundred KB of dnsqr text per batch, with up to twice the thread count of batches in flight.
    private const int BatchSize = 256;
    private readonly Stream _stream;
    private readonly bool _json;
    private readonly NmsgTextOptions _text;
    private readonly Thread[] _threads;
    private readonly int _maxOutstanding;
    private readonly object _gate = new(); // guards the fields below
    private readonly Queue<Batch> _queue = new();
    private readonly Stack<Batch> _free = new();
    private readonly Batch?[] _formatted; // formatted batches waiting for their turn, at Sequence % length
    private Batch _current = new();
    private long _submitted; // batches handed to the threads
    private long _written; // batches written (or skipped after an error): the next one to write
    private bool _writing; // a thread is writing formatted batches in order
    private Exception? _error;
    private bool _started;
    private bool _stopping;

    public ParallelTextWriter(Stream stream, bool json, NmsgTextOptions text, int threads)
    {
        _stream = stream;
        _json = json;
        _text = text;
        _threads = new Thread[threads];
        // Enough batches in flight that no thread waits for another's: one formatting and one waiting per thread.
        _maxOutstanding = 2 * threads;
        _formatted = new Batch?[_maxOutstanding];
    }

    /// <summary>Collects a message; a full batch is handed to the threads (waiting while too many are queued).</summary>
    public void Add(NmsgMessage message)
    {
        _current.Messages[_current.Count++] = message;
        if (_current.Count == BatchSize)
            Submit();
    }

    /// <summary>Hands over the collected messages and waits until every batch is written; throws the first error.</summary>
    public void Drain()
    {
        if (_current.Count > 0)
            Submit();
        lock (_gate)
        {
            while (_written < _submitted)
                Monitor.Wait(_gate);
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
            while (_submitted - _written >= _maxOutstanding)
                Monitor.Wait(_gate);
            batch.Sequence = _submitted++;
            _queue.Enqueue(batch);
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
                    Monitor.Wait(_gate);
                if (_queue.Count == 0)
                    return;
                batch = _queue.Dequeue();
                skip = _error is not null;
            }
            if (!skip)
                Format(batch);
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
                Monitor.PulseAll(_gate); // room for the next batch; Drain may be waiting
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
        }
        catch (Exception e)
        {
            batch.Error = e;
        }
    }

    private sealed class Batch
    {
        public readonly NmsgMessage[] Messages = new NmsgMessage[BatchSize];
        // The formatters write straight into it (no per-message copy); it grows to the largest batch's text and stays.
        public readonly PooledBufferWriter Output = new(64 * 1024);
        public int Count;
        public int Complete;
        public long Sequence;
        public Exception? Error;

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
