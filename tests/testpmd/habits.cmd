# testpmd's commands, in a scripted session; test_habits.sh checks the
# output. Forwarding runs on worker lcore 1, the prompt on lcore 0.
show config fwd
start
start
run 200
show port stats all
show port stats 1
show port stats 9
show port stats x
show fwd stats all
stop
stop
clear port stats all
show port stats 0
set fwd io
set fwd icmpecho
set fwd sideways
start tx_first
run 200
set fwd macswap
show fwd stats all
stop
start tx_first
stop
show port info 0
show port xstats 0
show port xstats all
show port info 9
set fwd txonyl
set quota port0_rxq9 5
set consumer fdw hog
show census
quit
