/** `sg.models`: torchvision's classification networks and the CIFAR-10 ResNets. */
export {};
