/** `sg.transforms`: torchvision's image transforms. */
export {};
