namespace Nmsg.Tool;

internal static class HelpText
{
    public const string Text = """
Usage: nmsg [options]
Reads NMSG from files, JSON, presentation text or UDP and writes it as NMSG, presentation text, JSON or UDP,
with nmsgtool 1.3.3's options and output bytes. At least one input is needed; with no output, presentation
text goes to standard output. A file argument of '-' means standard input or output. Options that name an
input or output may be repeated.

Inputs:
  -r, --readnmsg file        read binary NMSG from a file
  -j, --readjson file        read JSON lines (nmsgtool -J format)
  -f, --readpres file        read presentation text of one type (needs -V and -T)
  -l, --readsock addr/port[..port]
                             read NMSG datagrams from UDP (IPv4 or IPv6; a range is at most 21 ports)
  -C, --readchan channel     read the UDP sockets listed for channel in the channel alias file
  -B, --byterate bytes/s     ingress byte-rate limit for -r inputs

Outputs:
  -w, --writenmsg file       write binary NMSG
  -o, --writepres file       write presentation text
  -J, --writejson file       write JSON lines
  -s, --writesock addr/port[..port][,rate[,freq]]
                             write NMSG datagrams to UDP; rate is containers per second shared by the
                             range, checked every freq containers (default 10)
  -z, --zlibout              zlib-compress written containers (files and sockets)
  -m, --mtu bytes            container size of socket outputs (default 8192)
  --unbuffered               one payload per container; flush text outputs after every message
  --mirror                   copy every payload to every output (default: stripe round-robin)
  -e, --endline str          presentation line separator (understands \n, \t and \\)

Limits and rotation:
  -c, --count n              stop after n payloads per output (with -k: start a new file every n)
  -t, --interval secs        stop at the end of an epoch-aligned interval (with -k: start a new file)
  -R, --randomize            start the -t interval at a random offset
  -k, --kicker cmd           make -c/-t continuous: file outputs are named <file>.YYYYMMDD.HHMM.epoch.nsec
                             (plus .nmsg or .json), written as .part and renamed when closed, then
                             'cmd <file> &' runs; '' rotates without a command

Filters and stamping:
  -V, --vendor vname         vendor of -f input; with -T on NMSG inputs, keep only that type
  -T, --msgtype mname        message type (-T alone means -V base)
  --getsource 0xHEX          keep only payloads with this source
  --getoperator name|number  keep only payloads with this operator
  --getgroup name|number     keep only payloads with this group
  --setsource 0xHEX          set source on every output payload
  --setoperator name|number  set operator on every output payload
  --setgroup name|number     set group on every output payload
  --policy ACCEPT|DROP       verdict for payloads no filter decided on (default ACCEPT)

Other:
  -d, --debug                more diagnostics; -dd prints the totals line at exit
  --status, --no-status      force the live status line on stderr on or off (default: on when stderr is a
                             terminal): messages/s, bytes/s and drops, about once a second
  -v, --version              print the version and exit
  -h, --help                 print this help and exit

Not supported yet (exit 1): -L/--readzsock, -Z/--readzchan, -S/--writezsock, --readkafka, --writekafka,
  --kafkakey, -p/--readpcap, -i/--readif, -b/--bpf, -D/--daemon, -P/--pidfile, -U/--username,
  -F/--filter, -M/--statsmod.

Environment:
  NMSG_OPALIAS_FILE          operator aliases (default /usr/local/etc/nmsg.opalias)
  NMSG_GRALIAS_FILE          group aliases (default /usr/local/etc/nmsg.gralias)
  NMSG_CHALIAS_FILE          channel aliases for -C (default /usr/local/etc/nmsg.chalias, then
                             /usr/local/etc/nmsgtool.chalias)
  NMSG_KICKER                default -k command

Exit status: 0 on success; 1 on misuse, an unsupported option, an input or output error, or when
stopped by SIGINT or SIGTERM (outputs are flushed first).

""";
}
