# Every prompt command, in a scripted session. test_testpmd.sh checks the
# output line by line.
show pools
show port stats
show sockets
show census
set consumer fwd hog
run 300
show sockets
show port stats
set quota fwd 600
set quota fwd 100000
set quota fwd 0
set quota port0_rxq0 1
set consumer fwd slow:16:20
run 300
show sockets
set consumer fwd normal
run 100
start
start
run 100
stop
stop
show census
set consumer nosuch hog
set consumer fwd sideways
set quota nosuch 5
help
quit
