# Leak watch (issue 9 item 6), checked by leak_watch.sh: the consumer
# fwd hogs its 512 buffers; not marked while under the 1000 ms limit,
# logged once and marked past it, unmarked once it frees again.
set consumer fwd hog
run 400
show pools
run 1300
show pools
run 300
show pools
set consumer fwd normal
run 200
show pools
quit
